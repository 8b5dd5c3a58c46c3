package io.vetcd.transport;

import io.vetcd.server.Member;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * How a member started with {@code --initial-cluster-state existing} learns
 * the cluster it joins: it asks the other members' peer {@code /members}
 * route (as etcd's GetClusterFromRemotePeers does) and takes the cluster id
 * from the answer's header. Blocking: called once at start-up, off the event loop.
 */
public final class RemoteMembership {
    /** The cluster as a peer described it. */
    public record Remote(long clusterId, List<Member> members) { }

    private RemoteMembership() {}

    public static Remote fetch(List<String> peerUrls) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).sslContext(trustAll()).build();
        List<String> errors = new ArrayList<>();
        for (String base : peerUrls) {
            try {
                URI url = URI.create(base);
                int status;
                String clusterHeader;
                String body;
                if ("unix".equals(url.getScheme())) {
                    UnixHttpGet.Response r = UnixHttpGet.get(url, "/members", Duration.ofSeconds(5));
                    status = r.status();
                    clusterHeader = r.header(PeerHeaders.CLUSTER_ID);
                    body = r.body();
                } else if ("unixs".equals(url.getScheme())) {
                    errors.add(base + ": joining through a unixs:// peer URL is not supported; list an http(s) or unix peer URL");
                    continue;
                } else {
                    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/members"))
                        .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
                    status = r.statusCode();
                    clusterHeader = r.headers().firstValue(PeerHeaders.CLUSTER_ID).orElse(null);
                    body = r.body();
                }
                if (status != 200) {
                    errors.add(base + ": status " + status);
                    continue;
                }
                if (clusterHeader == null) {
                    errors.add(base + ": no " + PeerHeaders.CLUSTER_ID + " header");
                    continue;
                }
                return new Remote(Long.parseUnsignedLong(clusterHeader, 16), PeerMembersJson.decode(body));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while asking peers for the cluster", e);
            } catch (Exception e) {
                errors.add(base + ": " + e.getMessage());
            }
        }
        throw new IllegalStateException("could not retrieve cluster information from the given URLs: " + errors);
    }

    /** Peers may use self-signed (auto TLS) certificates; the cluster id, not the chain, is checked. */
    private static SSLContext trustAll() {
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, new TrustManager[]{new X509TrustManager() {
                public void checkClientTrusted(X509Certificate[] c, String a) { }
                public void checkServerTrusted(X509Certificate[] c, String a) { }
                public X509Certificate[] getAcceptedIssuers() { return new X509Certificate[0]; }
            }}, new SecureRandom());
            return ctx;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
