package io.vetcd.discovery;

import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.parsetools.JsonParser;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * etcd 3.6's v3 discovery ({@code --discovery-token} + {@code --discovery-endpoints}): the registry is a
 * key prefix on any v3 cluster, vetcd or etcd. {@code /_etcd/registry/<token>/_config/size} holds the
 * cluster size; each member puts {@code /_etcd/registry/<token>/members/<id in hex>} = its
 * {@code name=peer-url,...} and watches the prefix until {@code size} members are there; the first
 * {@code size} by create revision are the cluster. A member that finds it full before registering stops
 * with etcd's "discovery: cluster is full".
 *
 * <p>etcd's member speaks gRPC to the registry; this speaks the same API through the cluster's JSON
 * gateway ({@code /v3/kv/range}, {@code /v3/kv/put}, {@code /v3/watch}, {@code /v3/auth/authenticate}),
 * which etcd 3.4+ and vetcd both serve on their client URLs. Blocking: it runs once on the thread that
 * opens storage, before the member serves anything.
 */
public final class V3Discovery {
    private static final Logger log = LoggerFactory.getLogger(V3Discovery.class);
    private static final String PREFIX = "/_etcd/registry/";
    private static final int MAX_BACKOFF_EXPONENT = 8;

    /** The {@code --discovery-*} client settings. */
    public record Settings(String token, List<String> endpoints, Duration dialTimeout, Duration requestTimeout,
                           boolean insecureTransport, boolean insecureSkipTlsVerify, String cert, String key, String cacert,
                           String user, String password) {}

    private final Settings s;
    private final HttpClient http;
    private final List<URI> endpoints = new ArrayList<>();
    private final String memberKey;
    private int current;
    private int retries;
    private String authToken;

    private V3Discovery(Vertx vertx, Settings s, long memberId) {
        this.s = s;
        boolean tls = !s.insecureTransport();
        for (String ep : s.endpoints()) {
            String e = ep.trim();
            endpoints.add(URI.create(e.contains("://") ? e : (tls ? "https://" : "http://") + e));
        }
        HttpClientOptions o = new HttpClientOptions().setConnectTimeout((int) s.dialTimeout().toMillis()).setKeepAlive(true);
        if (tls || endpoints.stream().anyMatch(u -> "https".equals(u.getScheme()))) {
            o.setSsl(true).setTrustAll(s.insecureSkipTlsVerify()).setVerifyHost(!s.insecureSkipTlsVerify());
            if (!s.cacert().isEmpty()) o.setTrustOptions(new PemTrustOptions().addCertPath(s.cacert()));
            if (!s.cert().isEmpty()) o.setKeyCertOptions(new PemKeyCertOptions().setCertPath(s.cert()).setKeyPath(s.key()));
        }
        this.http = vertx.createHttpClient(o);
        this.memberKey = PREFIX + s.token() + "/members/" + Long.toHexString(memberId);
    }

    /** Registers this member ({@code selfConfig}: {@code name=peer-url,...}) and waits for the whole cluster. */
    public static Map<String, List<String>> join(Vertx vertx, Settings s, long memberId, String selfConfig)
            throws IOException, InterruptedException {
        V3Discovery d = new V3Discovery(vertx, s, memberId);
        try {
            d.checkCluster();
            d.retrying("register member itself", () -> {
                d.call("/v3/kv/put", new JsonObject().put("key", b64(d.memberKey)).put("value", b64(selfConfig)));
                return null;
            });
            log.info("registered {} with the discovery service: {}", d.memberKey, selfConfig);
            Listing now = d.checkCluster();
            List<Member> all = now.members.size() >= now.size ? now.members : d.waitPeers(now);
            return toCluster(all.subList(0, (int) now.size));
        } finally {
            d.http.close();
        }
    }

    private record Member(String key, String value, long createRevision) {}

    private record Listing(List<Member> members, long size, long revision) {}

    private Listing checkCluster() throws IOException, InterruptedException {
        String sizeKey = PREFIX + s.token() + "/_config/size";
        JsonObject sizeReply = retrying("cluster status check", () -> call("/v3/kv/range", new JsonObject().put("key", b64(sizeKey))));
        JsonArray kvs = sizeReply.getJsonArray("kvs", new JsonArray());
        if (kvs.isEmpty()) throw new IOException("discovery: size key not found");
        long size;
        try {
            size = Long.parseLong(unb64(kvs.getJsonObject(0).getString("value", "")).trim());
        } catch (NumberFormatException e) {
            throw new IOException("discovery: size key is bad");
        }
        if (size <= 0) throw new IOException("discovery: size key is bad");
        String prefix = PREFIX + s.token() + "/members";
        JsonObject members = retrying("cluster status check", () -> call("/v3/kv/range",
            new JsonObject().put("key", b64(prefix)).put("range_end", b64(prefixEnd(prefix)))));
        List<Member> list = new ArrayList<>();
        for (Object o : members.getJsonArray("kvs", new JsonArray())) add(list, (JsonObject) o);
        long revision = number(members.getJsonObject("header", new JsonObject()).getValue("revision"));
        for (int i = 0; i < list.size(); i++) {
            if (list.get(i).key.equals(memberKey)) break;
            if (i >= size - 1) throw new IOException("discovery: cluster is full");
        }
        return new Listing(list, size, revision);
    }

    /** Watches the members prefix after {@code listing}'s revision until there are enough. */
    private List<Member> waitPeers(Listing listing) throws IOException, InterruptedException {
        List<Member> all = new ArrayList<>(listing.members);
        String prefix = PREFIX + s.token() + "/members";
        log.info("waiting for peers from the discovery service: found {} of {}", all.size(), listing.size);
        Promise<Void> enough = Promise.promise();
        URI ep = endpoints.get(current);
        RequestOptions ro = new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(ep.resolve("/v3/watch").toString());
        if (authToken != null) ro.putHeader("Authorization", authToken);
        JsonObject create = new JsonObject().put("create_request", new JsonObject().put("key", b64(prefix))
            .put("range_end", b64(prefixEnd(prefix))).put("start_revision", String.valueOf(listing.revision + 1)));
        http.request(ro).compose(req -> req.send(create.toBuffer()).onSuccess(resp -> {
            JsonParser events = JsonParser.newParser().objectValueMode();
            events.handler(ev -> {
                JsonObject result = ev.objectValue().getJsonObject("result", new JsonObject());
                for (Object e : result.getJsonArray("events", new JsonArray())) {
                    JsonObject kv = ((JsonObject) e).getJsonObject("kv");
                    if (kv != null && !"DELETE".equals(((JsonObject) e).getString("type"))) add(all, kv);
                }
                if (all.size() >= listing.size) {
                    enough.tryComplete();
                    req.reset();
                }
            });
            events.exceptionHandler(enough::tryFail);
            resp.handler(events::handle);
            resp.endHandler(v -> enough.tryFail("the discovery watch ended before the cluster was complete"));
            resp.exceptionHandler(enough::tryFail);
        })).onFailure(enough::tryFail);
        try {
            enough.future().toCompletionStage().toCompletableFuture().get();
        } catch (java.util.concurrent.ExecutionException e) {
            if (all.size() >= listing.size) return all;
            backoff("waiting for other nodes", e.getCause());
            return waitPeers(checkCluster());
        }
        log.info("found all {} needed peer(s) from the discovery service", listing.size);
        return all;
    }

    private static void add(List<Member> list, JsonObject kv) {
        Member m = new Member(unb64(kv.getString("key", "")).trim(), unb64(kv.getString("value", "")).trim(),
            number(kv.getValue("create_revision")));
        if (!m.value.contains("=") || list.stream().anyMatch(x -> x.key.equals(m.key))) return;
        log.info("found peer {} from the discovery service: {}", m.key, m.value);
        list.add(m);
        list.sort(Comparator.comparingLong(Member::createRevision));
    }

    static Map<String, List<String>> toCluster(List<Member> members) throws IOException {
        Map<String, List<String>> cluster = new LinkedHashMap<>();
        for (Member m : members) {
            for (String part : m.value.split(",")) {
                int eq = part.indexOf('=');
                URI u;
                try {
                    u = eq > 0 ? URI.create(part.substring(eq + 1)) : null;
                } catch (IllegalArgumentException e) {
                    u = null;
                }
                if (u == null || u.getScheme() == null || u.getHost() == null) throw new IOException("discovery: invalid peer URL");
                cluster.computeIfAbsent(part.substring(0, eq), k -> new ArrayList<>()).add(part.substring(eq + 1));
            }
        }
        cluster.replaceAll((k, v) -> List.copyOf(v));
        return cluster;
    }

    private interface Step<T> {
        T run() throws IOException, InterruptedException;
    }

    /** etcd retries a step that could not reach the registry, with 2^n s of backoff (n at most 8). */
    private <T> T retrying(String step, Step<T> body) throws IOException, InterruptedException {
        while (true) {
            try {
                T t = body.run();
                retries = 0;
                return t;
            } catch (Unreachable e) {
                current = (current + 1) % endpoints.size();
                backoff(step, e);
            }
        }
    }

    private static final class Unreachable extends IOException {
        Unreachable(String m, Throwable cause) {
            super(m, cause);
        }
    }

    private void backoff(String step, Throwable cause) throws InterruptedException {
        retries++;
        long seconds = 1L << Math.min(retries, MAX_BACKOFF_EXPONENT);
        log.warn("retry connecting to discovery service ({}): {}; backoff {}s", step, cause.getMessage(), seconds);
        Thread.sleep(seconds * 1000);
    }

    /** One gateway call on the current endpoint; an auth token first when a user is given. */
    private JsonObject call(String path, JsonObject body) throws IOException {
        if (authToken == null && !s.user().isEmpty()) authenticate();
        JsonObject reply = post(path, body, authToken);
        if (reply.containsKey("error") || reply.containsKey("code")) {
            throw new IOException("discovery: " + reply.getString("error", reply.getString("message", reply.encode())));
        }
        return reply;
    }

    private void authenticate() throws IOException {
        String name = s.user();
        String password = s.password();
        int colon = name.indexOf(':');
        if (password.isEmpty() && colon >= 0) {
            password = name.substring(colon + 1);
            name = name.substring(0, colon);
        }
        JsonObject r = post("/v3/auth/authenticate", new JsonObject().put("name", name).put("password", password), null);
        if (r.getString("token") == null) throw new IOException("discovery: authentication failed: " + r.encode());
        authToken = r.getString("token");
    }

    private JsonObject post(String path, JsonObject body, String token) throws IOException {
        URI ep = endpoints.get(current);
        RequestOptions ro = new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(ep.resolve(path).toString())
            .setTimeout(s.requestTimeout().toMillis() + s.dialTimeout().toMillis()).putHeader("Content-Type", "application/json");
        if (token != null) ro.putHeader("Authorization", token);
        try {
            Buffer b = http.request(ro).compose(req -> req.send(body.toBuffer())).compose(HttpClientResponse::body)
                .toCompletionStage().toCompletableFuture().get(s.requestTimeout().toMillis() + s.dialTimeout().toMillis() + 1000,
                    TimeUnit.MILLISECONDS);
            return b.length() == 0 ? new JsonObject() : new JsonObject(b);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Unreachable(ep + path + ": interrupted", e);
        } catch (Exception e) {
            throw new Unreachable(ep + path + ": " + (e.getCause() == null ? e : e.getCause()), e);
        }
    }

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    private static String unb64(String s) {
        return new String(Base64.getDecoder().decode(s), StandardCharsets.UTF_8);
    }

    /** The range end of every key starting with {@code prefix} (etcd's clientv3.GetPrefixRangeEnd). */
    private static String prefixEnd(String prefix) {
        byte[] b = prefix.getBytes(StandardCharsets.UTF_8);
        for (int i = b.length - 1; i >= 0; i--) {
            if (b[i] != (byte) 0xff) {
                b[i]++;
                return new String(b, 0, i + 1, StandardCharsets.UTF_8);
            }
        }
        return "\0";
    }

    private static long number(Object v) {
        if (v == null) return 0;
        return v instanceof Number n ? n.longValue() : Long.parseLong(v.toString());
    }
}
