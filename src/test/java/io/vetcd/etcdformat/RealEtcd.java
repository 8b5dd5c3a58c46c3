package io.vetcd.etcdformat;

import io.vertx.core.json.JsonObject;
import io.vetcd.testing.Cli;
import io.vetcd.testing.Ports;
import io.vetcd.testing.ServerProcess;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;

/**
 * A real etcd 3.4 member (Debian's etcd-server) on a data directory the test chooses, written to
 * through its JSON gateway (one HTTP call per put: fast enough for thousands of keys) and stopped
 * cleanly with SIGTERM, so vetcd can be started on what it leaves behind.
 */
final class RealEtcd implements AutoCloseable {
    final String name;
    final Path dataDir;
    final int clientPort;
    final int peerPort;
    private final ServerProcess process;
    private final HttpClient http = HttpClient.newHttpClient();

    private RealEtcd(String name, Path dataDir, int clientPort, int peerPort, List<String> extra) throws Exception {
        this.name = name;
        this.dataDir = dataDir;
        this.clientPort = clientPort;
        this.peerPort = peerPort;
        this.process = ServerProcess.realEtcdOn(dataDir, clientPort, peerPort, extra.toArray(String[]::new));
    }

    static RealEtcd start(Path dataDir, String... extra) throws Exception {
        return new RealEtcd("node1", dataDir, Ports.free(), Ports.free(), List.of(extra));
    }

    /** etcd's member flags; vetcd started on the same directory gets the same ones. */
    static List<String> flags(String name, Path dataDir, int clientPort, int peerPort) {
        return ServerProcess.memberFlags(name, dataDir, clientPort, peerPort);
    }

    String endpoint() { return "http://127.0.0.1:" + clientPort; }

    Cli.Result ctl(String... args) {
        return Cli.etcdctl(endpoint(), args);
    }

    /** Puts through the JSON gateway; returns the revision. */
    long put(byte[] key, byte[] value, long lease) throws Exception {
        JsonObject body = new JsonObject().put("key", b64(key)).put("value", b64(value));
        if (lease != 0) body.put("lease", Long.toString(lease));
        JsonObject r = post("/v3/kv/put", body);
        return Long.parseLong(r.getJsonObject("header").getString("revision"));
    }

    long put(String key, String value) throws Exception {
        return put(key.getBytes(StandardCharsets.UTF_8), value.getBytes(StandardCharsets.UTF_8), 0);
    }

    JsonObject post(String path, JsonObject body) throws Exception {
        HttpResponse<String> resp = http.send(HttpRequest.newBuilder(URI.create(endpoint() + path))
            .POST(HttpRequest.BodyPublishers.ofString(body.encode())).build(), HttpResponse.BodyHandlers.ofString());
        if (resp.statusCode() != 200) throw new IllegalStateException(path + " -> " + resp.statusCode() + " " + resp.body());
        return new JsonObject(resp.body());
    }

    private static String b64(byte[] b) { return Base64.getEncoder().encodeToString(b); }

    /** SIGTERM by pid and wait: etcd commits its backend and closes its WAL. */
    @Override
    public void close() throws Exception {
        process.close();
    }

    /** SIGKILL by pid: whatever etcd had not committed to its backend is only in its WAL. */
    void kill9() throws InterruptedException {
        process.kill9();
    }

    String output() { return process.output(); }
}
