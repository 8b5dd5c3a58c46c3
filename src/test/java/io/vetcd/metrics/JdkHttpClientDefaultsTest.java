package io.vetcd.metrics;

import io.vetcd.testing.InJvmMember;
import io.vetcd.testing.Ports;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The JDK's {@code java.net.http.HttpClient} on its defaults (HTTP/2 preferred: on http:// an HTTP/1.1
 * request with {@code Upgrade: h2c}, on https:// ALPN h2), a fresh client per request as a service that
 * scrapes or reads now and then does, several at once: /metrics, /health and a ~3 MB JSON-gateway range
 * on the client listener (http and https) and on --listen-metrics-urls. Every answer must be whole.
 * Before the upgrade hold (node/H2cUpgradeHold) a loaded machine saw about one upgrade in 300 fail with
 * "protocol error: Frame type(97) length(2245733) exceeds MAX_FRAME_SIZE(16384)" (CI once in one scrape).
 */
class JdkHttpClientDefaultsTest {
    private static final int KEYS = 2000;
    private static final int VALUE_BYTES = 1024;
    private static final int THREADS = 6;
    private static final int ROUNDS = 10;

    private static InJvmMember member;
    private static int httpsPort;
    private static int metricsPort;

    @BeforeAll
    static void start() throws Exception {
        httpsPort = Ports.free();
        metricsPort = Ports.free();
        int httpPort = Ports.free();
        member = InJvmMember.start(io.vetcd.testing.TempDirs.create("vetcd-h2c"), httpPort, Ports.free(),
            "--listen-client-urls", "http://127.0.0.1:" + httpPort + ",https://127.0.0.1:" + httpsPort,
            "--auto-tls", "--listen-metrics-urls", "http://127.0.0.1:" + metricsPort);
        load();
    }

    @AfterAll
    static void stop() {
        if (member != null) member.close();
    }

    /** KEYS puts of VALUE_BYTES through the gateway over HTTP/1.1, eight at a time. */
    private static void load() throws Exception {
        HttpClient h1 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        String value = Base64.getEncoder().encodeToString("v".repeat(VALUE_BYTES).getBytes());
        List<CompletableFuture<HttpResponse<Void>>> window = new ArrayList<>();
        for (int i = 0; i < KEYS; i++) {
            String key = Base64.getEncoder().encodeToString(String.format("big/%05d", i).getBytes());
            window.add(h1.sendAsync(post(member.endpoint(), "/v3/kv/put", "{\"key\":\"" + key + "\",\"value\":\"" + value + "\"}"),
                HttpResponse.BodyHandlers.discarding()));
            if (window.size() == 8 || i == KEYS - 1) {
                for (var f : window) assertEquals(200, f.get(30, TimeUnit.SECONDS).statusCode());
                window.clear();
            }
        }
    }

    @Test
    void plainHttpClientListener() throws Exception {
        hammer(member.endpoint(), true, HttpClient.Version.HTTP_2);
    }

    @Test
    void tlsClientListener() throws Exception {
        hammer("https://127.0.0.1:" + httpsPort, true, HttpClient.Version.HTTP_2);
    }

    @Test
    void plainHttpMetricsListener() throws Exception {
        hammer("http://127.0.0.1:" + metricsPort, false, HttpClient.Version.HTTP_2);
    }

    private static void hammer(String base, boolean gateway, HttpClient.Version expected) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        Map<String, Integer> failures = new ConcurrentHashMap<>();
        try {
            List<Future<?>> all = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int thread = t;
                all.add(pool.submit(() -> {
                    for (int r = 0; r < ROUNDS; r++) {
                        int kind = (thread + r) % (gateway ? 3 : 2);
                        try {
                            check(base, kind, expected);
                        } catch (Throwable e) {
                            failures.merge(List.of("/metrics", "/health", "range").get(kind) + ": " + e, 1, Integer::sum);
                        }
                    }
                }));
            }
            for (Future<?> f : all) f.get(5, TimeUnit.MINUTES);
        } finally {
            pool.shutdownNow();
        }
        assertEquals(Map.of(), new TreeMap<>(failures), "failed requests to " + base);
    }

    private static void check(String base, int kind, HttpClient.Version expected) throws Exception {
        HttpClient client = HttpClient.newBuilder().sslContext(trustAll()).connectTimeout(Duration.ofSeconds(10)).build();
        HttpRequest req = switch (kind) {
            case 0 -> HttpRequest.newBuilder(URI.create(base + "/metrics")).timeout(Duration.ofSeconds(60)).build();
            case 1 -> HttpRequest.newBuilder(URI.create(base + "/health")).timeout(Duration.ofSeconds(60)).build();
            default -> post(base, "/v3/kv/range", "{\"key\":\"" + b64("big/") + "\",\"range_end\":\"" + b64("big0") + "\"}");
        };
        HttpResponse<String> resp = client.send(req, HttpResponse.BodyHandlers.ofString());
        assertEquals(200, resp.statusCode(), resp.body());
        assertEquals(expected, resp.version());
        String body = resp.body();
        switch (kind) {
            case 0 -> {
                if (!body.contains("\netcd_server_has_leader 1\n") || !body.endsWith("\n")) throw new AssertionError("bad page: " + body.length() + " chars");
            }
            case 1 -> assertEquals("{\"health\":\"true\"}", body);
            default -> {
                if (!body.contains("\"count\":\"" + KEYS + "\"") || !body.endsWith("}")) throw new AssertionError("bad range: " + body.length() + " chars");
                if (body.length() < KEYS * VALUE_BYTES) throw new AssertionError("short range: " + body.length() + " chars");
            }
        }
    }

    private static HttpRequest post(String base, String path, String json) {
        return HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60))
            .POST(HttpRequest.BodyPublishers.ofString(json)).build();
    }

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes());
    }

    /** --auto-tls makes a self-signed certificate for 127.0.0.1. */
    private static SSLContext trustAll() throws Exception {
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(null, new TrustManager[] {new X509TrustManager() {
            public void checkClientTrusted(X509Certificate[] c, String a) { }
            public void checkServerTrusted(X509Certificate[] c, String a) { }
            public X509Certificate[] getAcceptedIssuers() { return new X509Certificate[0]; }
        }}, null);
        return ssl;
    }
}
