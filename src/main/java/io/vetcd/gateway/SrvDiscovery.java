package io.vetcd.gateway;

import io.vetcd.config.ConfigException;
import io.vetcd.discovery.DnsSrvLookup;
import io.vetcd.discovery.SrvRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

/**
 * --discovery-srv for the gateway and the grpc-proxy: the client endpoints from the DNS SRV records
 * {@code _etcd-client-ssl._tcp.DOMAIN} (https) and {@code _etcd-client._tcp.DOMAIN} (http), with
 * {@code -NAME} appended to the service for --discovery-srv-name (etcd's srv.GetClient). Runs once at
 * start-up, before any event loop exists, so the blocking JNDI lookup is harmless. The resolver is
 * {@link DnsSrvLookup}'s: the system's, or the one {@code -Dvetcd.dns.server=host:port} names.
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
    try {
      for (SrvRecord r : DnsSrvLookup.system().lookup("_" + service + "._tcp." + domain)) {
        out.add(scheme + "://" + (r.host().contains(":") ? "[" + r.host() + "]" : r.host()) + ":" + r.port());
      }
      return null;
    } catch (java.io.IOException e) {
      return e.getMessage();
    }
  }
}
