package io.vetcd.discovery;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code --discovery-srv}: the initial cluster from the SRV records of
 * {@code _etcd-server-ssl[-name]._tcp.<domain>} (https peers) and {@code _etcd-server[-name]._tcp.<domain>}
 * (http peers). A record whose address is one of this member's advertised peer URLs is this member
 * (under its {@code --name}); every other one is a peer named by a counter ("0", "1", ...), which is
 * what etcd does — the real names arrive when the peers publish themselves.
 *
 * <p>etcd 3.4.23 kept the http records only when their lookup <em>failed</em>; later releases keep them
 * when it succeeds, which is what this does: both lists are combined, and only when neither yields a
 * peer is it an error.
 */
public final class SrvCluster {
    private SrvCluster() {}

    /** Name → peer URLs, in DNS order, or an {@link IOException} with etcd's message. */
    public static Map<String, List<String>> resolve(String domain, String serviceName, String localName,
                                                    List<URI> advertisedPeerUrls, SrvLookup dns) throws IOException {
        String suffix = serviceName == null || serviceName.isEmpty() ? "" : "-" + serviceName;
        Map<String, URI> mine = new HashMap<>();
        for (URI u : advertisedPeerUrls) mine.put(address(u.getHost(), u.getPort()), u);
        int[] nextName = {0};
        List<String[]> found = new ArrayList<>();
        IOException https = lookup(dns, "https", "etcd-server-ssl" + suffix, domain, localName, mine, nextName, found);
        IOException http = lookup(dns, "http", "etcd-server" + suffix, domain, localName, mine, nextName, found);
        if (found.isEmpty()) throw https != null ? https : http != null ? http
            : new IOException("error querying DNS SRV records for _etcd-server" + suffix + " no records");
        Map<String, List<String>> cluster = new LinkedHashMap<>();
        for (String[] nameUrl : found) cluster.computeIfAbsent(nameUrl[0], k -> new ArrayList<>()).add(nameUrl[1]);
        if (!cluster.containsKey(localName)) {
            throw new IOException("cannot find local etcd member \"" + localName + "\" in SRV records");
        }
        cluster.replaceAll((k, v) -> List.copyOf(v));
        return cluster;
    }

    /** One service's records into {@code found}; the error, if the service gave nothing. */
    private static IOException lookup(SrvLookup dns, String scheme, String service, String domain, String localName,
                                      Map<String, URI> mine, int[] nextName, List<String[]> found) {
        List<SrvRecord> records;
        try {
            records = dns.lookup("_" + service + "._tcp." + domain);
        } catch (IOException e) {
            return new IOException("error querying DNS SRV records for _" + service + " " + e.getMessage(), e);
        }
        IOException err = null;
        int before = found.size();
        for (SrvRecord r : records) {
            String addr;
            try {
                addr = address(r.host(), r.port());
            } catch (UnknownHostException e) {
                err = new IOException("error querying DNS SRV records for _" + service + " lookup " + r.host() + ": no such host", e);
                continue;
            }
            URI local = mine.get(addr);
            String urlHost = r.host().contains(":") ? "[" + r.host() + "]" : r.host();
            String url = scheme + "://" + urlHost + ":" + r.port();
            if (local != null && !local.getScheme().equals(scheme)) {
                err = new IOException("bootstrap at " + url + " from DNS for " + service
                    + " has scheme mismatch with expected peer " + local);
                continue;
            }
            found.add(new String[] {local != null ? localName : String.valueOf(nextName[0]++), url});
        }
        return found.size() > before ? null : err;
    }

    /** "ip:port" as Go's ResolveTCPAddr would print it, for matching records against our own URLs. */
    private static String address(String host, int port) throws UnknownHostException {
        String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        return InetAddress.getByName(h).getHostAddress() + ":" + port;
    }
}
