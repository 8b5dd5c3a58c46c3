package io.vetcd.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The Go load generator (bench/clientv3load, etcd's own clientv3 from Debian's
 * golang-etcd-server-dev, built in GOPATH mode): built once, run as a child process per
 * workload run; its one JSON line becomes a {@link Result} with the full latency histogram.
 */
final class GoClientLoad {
    final Path binary;

    private GoClientLoad(Path binary) { this.binary = binary; }

    /** Builds bench/clientv3load into {@code outDir} (GOPATH=/usr/share/gocode unless GOPATH is set). */
    static GoClientLoad build(Path repoRoot, Path outDir) throws IOException, InterruptedException {
        Path bin = outDir.toAbsolutePath().resolve("clientv3load");
        Files.createDirectories(outDir);
        String gopath = System.getenv().getOrDefault("GOPATH", "/usr/share/gocode");
        ProcessBuilder pb = new ProcessBuilder("go", "build", "-o", bin.toString(), "./bench/clientv3load")
            .directory(repoRoot.toFile()).redirectErrorStream(true);
        pb.environment().put("GO111MODULE", "off");
        pb.environment().put("GOPATH", gopath);
        pb.environment().putIfAbsent("GOCACHE", outDir.toAbsolutePath().resolve("gocache").toString());
        Process p = pb.start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(600, TimeUnit.SECONDS) || p.exitValue() != 0)
            throw new IOException("building bench/clientv3load failed (needs golang-go and golang-etcd-server-dev):\n" + log);
        return new GoClientLoad(bin);
    }

    Result run(String workload, String label, List<String> endpoints, int conns, int clients, long total, double maxSeconds)
            throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(binary.toString(), "-workload", workload,
            "-endpoints", String.join(",", endpoints), "-conns", Integer.toString(conns), "-clients", Integer.toString(clients),
            "-total", Long.toString(total), "-max-seconds", Double.toString(maxSeconds)));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (!p.waitFor((long) maxSeconds + 120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("clientv3load did not finish: " + cmd);
        }
        Result r = new Result(label, "go");
        if (p.exitValue() != 0 || out.isEmpty()) {
            r.errors.add("clientv3load exit " + p.exitValue(), 1);
            return r;
        }
        JsonObject j = new JsonObject(out.substring(out.lastIndexOf('\n') + 1));
        r.total = j.getLong("total");
        r.ok = j.getLong("ok");
        r.seconds = j.getDouble("seconds");
        long errs = j.getLong("errors");
        if (errs > 0) r.errors.add(j.getString("first_error", "error"), errs);
        JsonArray h = j.getJsonArray("hist_us");
        if (h != null) for (int i = 0; i < h.size(); i++) {
            JsonArray pair = h.getJsonArray(i);
            r.hist.recordValueWithCount(Math.max(1, Math.min(Result.MAX_US, pair.getLong(0))), pair.getLong(1));
        }
        r.extra.put("client", "go clientv3");
        return r;
    }
}
