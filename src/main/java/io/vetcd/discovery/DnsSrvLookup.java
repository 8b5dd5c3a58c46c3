package io.vetcd.discovery;

import javax.naming.NamingException;
import javax.naming.directory.Attribute;
import javax.naming.directory.Attributes;
import javax.naming.directory.InitialDirContext;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Hashtable;
import java.util.List;

/**
 * SRV records through the JDK's DNS provider. It asks the resolvers of {@code /etc/resolv.conf}
 * as Go's resolver does for etcd, unless the JVM property {@code vetcd.dns.server}
 * names one ({@code host:port}) — how tests point it at a DNS server on a loopback port.
 */
public final class DnsSrvLookup implements SrvLookup {
    public static final String SERVER_PROPERTY = "vetcd.dns.server";

    private final String providerUrl;

    private DnsSrvLookup(String providerUrl) {
        this.providerUrl = providerUrl;
    }

    /** The system's resolvers, or the server the JVM property names. */
    public static DnsSrvLookup system() {
        String server = System.getProperty(SERVER_PROPERTY, "").trim();
        return new DnsSrvLookup(server.isEmpty() ? "dns:" : "dns://" + server);
    }

    @Override
    public List<SrvRecord> lookup(String name) throws IOException {
        Hashtable<String, String> env = new Hashtable<>();
        env.put("java.naming.factory.initial", "com.sun.jndi.dns.DnsContextFactory");
        env.put("java.naming.provider.url", providerUrl);
        try {
            InitialDirContext ctx = new InitialDirContext(env);
            try {
                Attributes attrs = ctx.getAttributes(name, new String[] {"SRV"});
                Attribute srv = attrs.get("SRV");
                if (srv == null || srv.size() == 0) throw new IOException("lookup " + name + ": no such host");
                List<SrvRecord> out = new ArrayList<>();
                for (int i = 0; i < srv.size(); i++) {
                    // "priority weight port target"
                    String[] f = srv.get(i).toString().trim().split("\\s+");
                    if (f.length != 4) throw new IOException("lookup " + name + ": malformed SRV record \"" + srv.get(i) + "\"");
                    out.add(new SrvRecord(Integer.parseInt(f[0]), Integer.parseInt(f[1]), Integer.parseInt(f[2]), f[3]));
                }
                // as Go's net.LookupSRV: by priority, then (without randomising) by weight
                out.sort((a, b) -> a.priority() != b.priority() ? Integer.compare(a.priority(), b.priority())
                    : Integer.compare(b.weight(), a.weight()));
                return out;
            } finally {
                ctx.close();
            }
        } catch (NamingException e) {
            throw new IOException("lookup " + name + ": " + (e.getExplanation() == null ? e.toString() : e.getExplanation()), e);
        }
    }
}
