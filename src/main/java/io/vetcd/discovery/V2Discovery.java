package io.vetcd.discovery;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code --discovery <url>}: etcd's v2 discovery protocol. The URL names a token directory on an
 * etcd v2 keys API (discovery.etcd.io, or any etcd started with {@code --enable-v2}: then the URL is
 * {@code http://host:2379/v2/keys/<dir>/<token>}), whose {@code _config/size} says how many members
 * the cluster has. Each member registers {@code <token>/<member id in hex>} = its
 * {@code name=peer-url,...} (create-only, so an id registers once), then waits on the directory until
 * {@code size} members are there; the first {@code size} by creation order are the cluster. A member
 * that finds the cluster full before registering stops with etcd's "discovery: cluster is full".
 *
 * <p>Blocking: it runs once, on the thread that opens storage, before the member serves anything.
 */
public final class V2Discovery {
    private static final Logger log = LoggerFactory.getLogger(V2Discovery.class);
    /** etcd's client.DefaultRequestTimeout for the non-waiting requests. */
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);
    /** etcd backs off 2^n seconds between attempts, n capped at 8. */
    private static final int MAX_BACKOFF_EXPONENT = 8;
    private static final int KEY_NOT_FOUND = 100;
    private static final int NODE_EXISTS = 105;
    private static final int EVENT_INDEX_CLEARED = 401;

    /** etcd's discovery errors, with its texts. */
    public static final class DiscoveryException extends IOException {
        public DiscoveryException(String message) {
            super(message);
        }
    }

    static final String FULL_CLUSTER = "discovery: cluster is full";

    private final URI base;
    private final String token;
    private final String selfKey;
    private final HttpClient http;
    private int retries;

    private V2Discovery(URI discoveryUrl, String proxyUrl, long memberId) throws IOException {
        if (discoveryUrl.getScheme() == null || discoveryUrl.getHost() == null) throw new DiscoveryException("discovery: invalid URL");
        this.base = URI.create(discoveryUrl.getScheme() + "://" + discoveryUrl.getRawAuthority());
        String path = discoveryUrl.getRawPath() == null ? "" : discoveryUrl.getRawPath();
        this.token = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        this.selfKey = token + "/" + Long.toHexString(memberId);
        HttpClient.Builder b = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(30));
        if (proxyUrl != null && !proxyUrl.isEmpty()) {
            URI p = URI.create(proxyUrl.contains("://") ? proxyUrl : "http://" + proxyUrl);
            if (!"http".equals(p.getScheme())) throw new DiscoveryException("discovery: only an http --discovery-proxy is supported, got " + proxyUrl);
            b.proxy(ProxySelector.of(new InetSocketAddress(p.getHost(), p.getPort() < 0 ? 80 : p.getPort())));
            log.info("using proxy {} for discovery", proxyUrl);
        }
        this.http = b.build();
    }

    /**
     * Registers this member ({@code selfConfig}: its {@code name=peer-url,...}) and waits for the whole
     * cluster; returns the initial cluster, name → peer URLs.
     */
    public static Map<String, List<String>> join(String discoveryUrl, String proxyUrl, long memberId, String selfConfig)
            throws IOException, InterruptedException {
        V2Discovery d = new V2Discovery(URI.create(discoveryUrl), proxyUrl, memberId);
        d.checkCluster(); // a full cluster refuses us before we register
        d.createSelf(selfConfig);
        Listing now = d.checkCluster();
        return toCluster(d.waitNodes(now), now.size);
    }

    private record Node(String key, String value, long createdIndex) {
        String base() {
            return key.substring(key.lastIndexOf('/') + 1);
        }
    }

    private record Listing(List<Node> nodes, long size, long index) {}

    private Listing checkCluster() throws IOException, InterruptedException {
        while (true) {
            try {
                Reply sizeReply = get(token + "/_config/size", false);
                if (sizeReply.errorCode() == KEY_NOT_FOUND) throw new DiscoveryException("discovery: size key not found");
                if (sizeReply.status() == 404) throw new DiscoveryException("discovery: token not found");
                if (sizeReply.status() / 100 != 2) throw new RetryableException("size lookup answered HTTP " + sizeReply.status());
                long size;
                try {
                    size = Long.parseUnsignedLong(sizeReply.body().getJsonObject("node").getString("value"));
                } catch (RuntimeException e) {
                    throw new DiscoveryException("discovery: size key is bad");
                }
                Reply dir = get(token, false);
                if (dir.status() / 100 != 2) throw new RetryableException("token lookup answered HTTP " + dir.status());
                List<Node> nodes = new ArrayList<>();
                JsonArray children = dir.body().getJsonObject("node", new JsonObject()).getJsonArray("nodes", new JsonArray());
                for (int i = 0; i < children.size(); i++) {
                    JsonObject n = children.getJsonObject(i);
                    Node node = new Node(n.getString("key", ""), n.getString("value", ""), n.getLong("createdIndex", 0L));
                    if (!node.base().equals("_config")) nodes.add(node);
                }
                nodes.sort(Comparator.comparingLong(Node::createdIndex));
                String self = selfKey.substring(selfKey.lastIndexOf('/') + 1);
                for (int i = 0; i < nodes.size(); i++) {
                    if (nodes.get(i).base().equals(self)) break;
                    if (i >= size - 1) throw new DiscoveryException(FULL_CLUSTER);
                }
                return new Listing(nodes, size, dir.index());
            } catch (RetryableException e) {
                backoff("cluster status check", e);
            }
        }
    }

    private void createSelf(String config) throws IOException, InterruptedException {
        HttpRequest req = HttpRequest.newBuilder(base.resolve(selfKey + "?prevExist=false")).timeout(REQUEST_TIMEOUT)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .PUT(HttpRequest.BodyPublishers.ofString("value=" + URLEncoder.encode(config, StandardCharsets.UTF_8))).build();
        Reply r = send(req);
        if (r.errorCode() == NODE_EXISTS) throw new DiscoveryException("discovery: found duplicate id");
        if (r.status() / 100 != 2) throw new DiscoveryException("discovery: registering " + selfKey + " answered HTTP " + r.status()
            + " " + r.body().encode());
        log.info("registered {} with the discovery service {}", selfKey, base);
    }

    private List<Node> waitNodes(Listing listing) throws IOException, InterruptedException {
        List<Node> all = new ArrayList<>(listing.nodes.subList(0, (int) Math.min(listing.nodes.size(), listing.size)));
        long next = listing.index + 1;
        while (all.size() < listing.size) {
            log.info("found {} peer(s) from the discovery service, waiting for {} more", all.size(), listing.size - all.size());
            Reply r;
            try {
                r = get(token + "?wait=true&recursive=true&waitIndex=" + next, true);
            } catch (RetryableException e) {
                backoff("waiting for other nodes", e);
                Listing again = checkCluster();
                return waitNodes(again);
            }
            if (r.errorCode() == EVENT_INDEX_CLEARED) return waitNodes(checkCluster());
            if (r.status() / 100 != 2) throw new DiscoveryException("discovery: watching " + token + " answered HTTP " + r.status());
            JsonObject n = r.body().getJsonObject("node", new JsonObject());
            Node node = new Node(n.getString("key", ""), n.getString("value", ""), n.getLong("createdIndex", 0L));
            next = n.getLong("modifiedIndex", next) + 1;
            boolean known = all.stream().anyMatch(x -> x.key.equals(node.key));
            if (!known && !node.key.contains("/_config") && node.value != null && !node.value.isEmpty()) {
                log.info("found peer {} from the discovery service", node.base());
                all.add(node);
            }
        }
        log.info("found all {} needed peer(s) from the discovery service", all.size());
        return all;
    }

    /** The registered values ({@code name=url,...} each) as one initial cluster; etcd's checks. */
    static Map<String, List<String>> toCluster(List<Node> nodes, long size) throws DiscoveryException {
        Map<String, List<String>> cluster = new LinkedHashMap<>();
        for (Node n : nodes) {
            for (String part : n.value.split(",")) {
                int eq = part.indexOf('=');
                if (eq <= 0) throw new DiscoveryException("discovery: invalid URL");
                URI u;
                try {
                    u = URI.create(part.substring(eq + 1));
                } catch (IllegalArgumentException e) {
                    throw new DiscoveryException("discovery: invalid URL");
                }
                if (u.getScheme() == null || u.getHost() == null) throw new DiscoveryException("discovery: invalid URL");
                cluster.computeIfAbsent(part.substring(0, eq), k -> new ArrayList<>()).add(part.substring(eq + 1));
            }
        }
        if (cluster.size() != size) throw new DiscoveryException("discovery: found duplicate name");
        cluster.replaceAll((k, v) -> List.copyOf(v));
        return cluster;
    }

    private record Reply(int status, JsonObject body, long index) {
        int errorCode() {
            return body.getInteger("errorCode", 0);
        }
    }

    /** The discovery service could not be reached or answered with a server error: etcd retries. */
    private static final class RetryableException extends IOException {
        RetryableException(String message) {
            super(message);
        }
    }

    private Reply get(String pathAndQuery, boolean waiting) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(pathAndQuery)).GET();
        if (!waiting) b.timeout(REQUEST_TIMEOUT);
        return send(b.build());
    }

    private Reply send(HttpRequest req) throws IOException, InterruptedException {
        HttpResponse<String> resp;
        try {
            resp = http.send(req, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new RetryableException(req.uri() + ": " + e);
        }
        if (resp.statusCode() >= 500) throw new RetryableException(req.uri() + " answered HTTP " + resp.statusCode());
        JsonObject body;
        try {
            body = resp.body().isBlank() ? new JsonObject() : new JsonObject(resp.body());
        } catch (DecodeException | ClassCastException e) {
            throw new DiscoveryException("discovery: bad discovery endpoint");
        }
        long index = resp.headers().firstValueAsLong("X-Etcd-Index").orElse(0L);
        return new Reply(resp.statusCode(), body, index);
    }

    private void backoff(String step, IOException cause) throws InterruptedException {
        retries++;
        long seconds = 1L << Math.min(retries, MAX_BACKOFF_EXPONENT);
        log.info("{}: error connecting to {} ({}), retrying in {}s", step, base, cause.getMessage(), seconds);
        Thread.sleep(seconds * 1000);
    }
}
