package io.vetcd.gateway;

import io.vetcd.config.ConfigException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.naming.NamingEnumeration;
import javax.naming.NamingException;
import javax.naming.directory.Attribute;
import javax.naming.directory.InitialDirContext;
import java.util.ArrayList;
import java.util.Hashtable;
import java.util.List;

/**
 * --discovery-srv for the gateway and the grpc-proxy: the client endpoints from the DNS SRV records
 * {@code _etcd-client-ssl._tcp.DOMAIN} (https) and {@code _etcd-client._tcp.DOMAIN} (http), with
 * {@code -NAME} appended to the service for --discovery-srv-name (etcd's srv.GetClient). Runs once at
 * start-up, before any event loop exists, so the blocking JNDI lookup is harmless. The resolver is the
 * system's; {@code -Dvetcd.dns.server=host:port} points it elsewhere (tests use a DNS server on loopback).
 */
public final class SrvDiscovery {
  private static final Logger LOG = LoggerFactory.getLogger("etcdmain");

  private SrvDiscovery() {
  }

  /**
   * @param insecure --insecure-discovery: keep http endpoints too; without it only https ones are kept
   *                 (etcd additionally test-dials them with the CA, which vetcd does not do)
   */
  public static List<String> clientEndpoints(String domain, String serviceName, boolean insecure) {
    List<String> out = new ArrayList<>();
    String errHttps = lookup(service("etcd-client-ssl", serviceName), domain, "https", out);
    String errHttp = lookup(service("etcd-client", serviceName), domain, "http", out);
    if (errHttps != null && errHttp != null) {
      throw new ConfigException("dns lookup errors: " + errHttps + " and " + errHttp);
    }
    LOG.atInfo().addKeyValue("srv-server", domain).addKeyValue("endpoints", out).log("discovered cluster from SRV");
    if (!insecure) {
      out.removeIf(ep -> !ep.startsWith("https://"));
    }
    return out;
  }

  private static String service(String base, String name) {
    return name.isEmpty() ? base : base + "-" + name;
  }

  private static String lookup(String service, String domain, String scheme, List<String> out) {
    String name = "_" + service + "._tcp." + domain;
    Hashtable<String, String> env = new Hashtable<>();
    env.put("java.naming.factory.initial", "com.sun.jndi.dns.DnsContextFactory");
    String server = System.getProperty("vetcd.dns.server", "");
    env.put("java.naming.provider.url", server.isEmpty() ? "dns:" : "dns://" + server);
    try {
      Attribute srv = new InitialDirContext(env).getAttributes(name, new String[] {"SRV"}).get("SRV");
      if (srv == null) return "lookup " + name + ": no such host";
      NamingEnumeration<?> all = srv.getAll();
      while (all.hasMore()) {
        // "priority weight port target."
        String[] parts = all.next().toString().trim().split("\\s+");
        String target = parts[3].endsWith(".") ? parts[3].substring(0, parts[3].length() - 1) : parts[3];
        out.add(scheme + "://" + (target.contains(":") ? "[" + target + "]" : target) + ":" + parts[2]);
      }
      return null;
    } catch (NamingException | RuntimeException e) {
      return "lookup " + name + ": " + e.getMessage();
    }
  }
}
