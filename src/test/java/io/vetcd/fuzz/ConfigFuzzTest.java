package io.vetcd.fuzz;

import io.vertx.core.Vertx;
import io.vetcd.config.ConfigException;
import io.vetcd.config.ConfigLoader;
import io.vetcd.config.EarlyExit;
import io.vetcd.config.FlagSpec;
import io.vetcd.config.FlagTable;
import io.vetcd.testing.TempDirs;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.lifecycle.PropagationMode;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The config loaders fed garbled flags, etcd.conf files, YAML ({@code --config-file}) and JSON
 * ({@code -conf}): each either loads, or fails the way {@link ConfigLoader#reportFailure} turns
 * into one clear line on stderr and exit code 1 (help and version: their text and 0) — never an
 * exception the launcher would print as "etcd: java.lang...".
 */
@AddLifecycleHook(value = FuzzBudget.class, propagateTo = PropagationMode.ALL_DESCENDANTS)
class ConfigFuzzTest {
    private static Vertx vertx;
    private static Path dir;
    private static final List<FlagSpec> FLAGS = FlagTable.all();

    @BeforeContainer
    static void start() throws Exception {
        vertx = Vertx.vertx();
        dir = Files.createTempDirectory("vetcd-config-fuzz");
    }

    @AfterContainer
    static void stop() {
        if (vertx != null) vertx.close().await();
        if (dir != null) TempDirs.delete(dir);
    }

    @Property(tries = 400)
    void garbledFlagsFailWithOneLine(@ForAll("flagLists") List<String> args) {
        loadsOrFailsCleanly(args);
    }

    @Property(tries = 150)
    void garbledYamlConfigFileFailsWithOneLine(@ForAll("yamlFiles") String content) throws Exception {
        Path f = Files.writeString(dir.resolve("fuzz.yml"), content);
        loadsOrFailsCleanly(List.of("--config-file", f.toString()));
    }

    @Property(tries = 150)
    void garbledJsonConfFailsWithOneLine(@ForAll("jsonFiles") String content) throws Exception {
        Path f = Files.writeString(dir.resolve("fuzz.json"), content);
        loadsOrFailsCleanly(List.of("-conf", f.toString()));
    }

    @Property(tries = 150)
    void garbledEtcdConfFailsWithOneLine(@ForAll("etcdConfFiles") String content) throws Exception {
        Path f = Files.writeString(dir.resolve("etcd.conf"), content);
        loadsOrFailsCleanly(List.of("-conf", f.toString()));
    }

    private static void loadsOrFailsCleanly(List<String> args) {
        Throwable failure;
        try {
            ConfigLoader.loadSync(vertx, args, Map.of());
            return;
        } catch (Throwable t) {
            failure = t;
        }
        Throwable f = failure;
        assertTrue(f instanceof ConfigException || f instanceof EarlyExit,
            () -> args + " failed with " + f + " (the launcher would print it as \"etcd: " + f + "\")");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = ConfigLoader.reportFailure(f, new PrintStream(out, true), new PrintStream(err, true));
        if (f instanceof EarlyExit) return; // --help / --version: their text, their code
        String text = err.toString(StandardCharsets.UTF_8);
        assertEquals(1, code, () -> args + ": " + text);
        assertEquals(1, text.strip().lines().count(), () -> args + ": more than one line: " + text);
        assertFalse(HttpExchange.JAVA_LEAK.matcher(text).find(), () -> args + ": " + text);
    }

    private static final String[] VALUES = {"", "0", "-1", "1", "99999999999999999999", "1.5", "abc", "true", "false", "1h", "-5s",
        "5x", "http://", "http://127.0.0.1:x", "http://127.0.0.1:2380", "unix://", "unixs://a:1", "%zz", "a=b,c", "a=http://b:1,a=",
        "=", ",", "\u0000", "\u00e9\ud83d\ude00", "new", "existing", "jwt,pub-key=/nope", "simple", "debug", "zap", "stdout",
        "/dev/null", "/nonexistent/dir", "2380", "127.0.0.1", "*", "off", "periodic", "revision", "0s"};

    @Provide
    Arbitrary<List<String>> flagLists() {
        return Arbitraries.randomValue(r -> {
            List<String> args = new ArrayList<>();
            for (int i = 0, n = r.nextInt(6); i < n; i++) {
                String name = FLAGS.get(r.nextInt(FLAGS.size())).name();
                String value = r.nextInt(6) == 0 ? Long.toString(r.nextLong()) : VALUES[r.nextInt(VALUES.length)];
                switch (r.nextInt(8)) {
                    case 0 -> args.add("-" + name + "=" + value);
                    case 1 -> args.add("--" + name);
                    case 2 -> { args.add("--" + name); args.add(value); }
                    case 3 -> args.add(PeerRouteFuzzTest.pick(r, "--", "-", "---name=x", "--no-such-flag", "-=", "--=x", "x", "--name=a=b"));
                    default -> args.add("--" + name + "=" + value);
                }
            }
            return args;
        }).withoutEdgeCases();
    }

    @Provide
    Arbitrary<String> yamlFiles() {
        return Arbitraries.randomValue(r -> garbleLines(r, read("conf/etcd.yml"),
            new String[]{"name: [", "{", "}", "- x", "data-dir: !!binary AAAA", "a: &a [*a, *a]", "snapshot-count: 1e400",
                "heartbeat-interval: -1", "election-timeout: \"x\"", "\t", "max-txn-ops: 99999999999999999999", "cors: {a: b}",
                "initial-cluster: 12", "client-transport-security: 5", "client-transport-security: {cert-file: [1]}",
                "? complex key", "--- ", "...", "%YAML 9.9", "name: 'unterminated", "listen-client-urls: http://[::1"}))
            .withoutEdgeCases();
    }

    @Provide
    Arbitrary<String> jsonFiles() {
        return Arbitraries.randomValue(r -> {
            String base = read("conf/etcd.json");
            return r.nextInt(3) == 0 ? GatewayFuzzTest.garble(r, base) : garbleLines(r, base,
                new String[]{"{", "}", "[", "]", "\"member\": 5,", "\"name\": null,", "\"snapshot-count\": \"x\",",
                    "\"heartbeat-interval\": 1e400,", "\"cluster\": [],", "\"x\": {\"y\": [", ",,", "\"max-request-bytes\": -1,"});
        }).withoutEdgeCases();
    }

    @Provide
    Arbitrary<String> etcdConfFiles() {
        return Arbitraries.randomValue(r -> garbleLines(r, read("conf/etcd.conf"),
            new String[]{"[Member", "ETCD_NAME=\"unterminated", "ETCD_SNAPSHOT_COUNT=\"x\"", "ETCD_HEARTBEAT_INTERVAL=\"-1\"",
                "=", "ETCD_=1", "ETCD_NO_SUCH_THING=1", "ETCD_LISTEN_CLIENT_URLS=\"http://[::1\"", "[]", "export ETCD_NAME=x",
                "ETCD_INITIAL_CLUSTER=\"a\"", "ETCD_DATA_DIR=", "\u0000", "ETCD_MAX_WALS=\"99999999999999999999\""}))
            .withoutEdgeCases();
    }

    private static String garbleLines(Random r, String base, String[] inserts) {
        if (r.nextInt(15) == 0) return new String(PeerRouteFuzzTest.bytes(r), StandardCharsets.ISO_8859_1);
        List<String> lines = new ArrayList<>(base.lines().toList());
        for (int i = 0, n = 1 + r.nextInt(4); i < n && !lines.isEmpty(); i++) {
            int at = r.nextInt(lines.size());
            switch (r.nextInt(4)) {
                case 0 -> lines.remove(at);
                case 1 -> lines.add(at, inserts[r.nextInt(inserts.length)]);
                case 2 -> {
                    String l = lines.get(at);
                    if (!l.isEmpty()) {
                        char[] c = l.toCharArray();
                        String noise = "{}[]:,\"'=#\t\\ x9-";
                        c[r.nextInt(c.length)] = noise.charAt(r.nextInt(noise.length()));
                        lines.set(at, new String(c));
                    }
                }
                default -> {
                    String l = lines.get(at);
                    int colon = Math.max(l.indexOf(':'), l.indexOf('='));
                    if (colon > 0) lines.set(at, l.substring(0, colon + 1) + " " + VALUES[r.nextInt(VALUES.length)]);
                }
            }
        }
        return String.join("\n", lines) + "\n";
    }

    private static String read(String path) {
        try {
            return Files.readString(Path.of(path));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
