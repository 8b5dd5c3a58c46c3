package io.vetcd.etcdformat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import io.vetcd.testing.Cli;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Files written by {@link BoltWriter} are opened by real bbolt: etcdctl's {@code snapshot status}
 * runs bbolt's consistency check (every page reachable exactly once or free, page types right) and
 * hashes every bucket name, key and value in cursor order, which we compare with our own hash of
 * what we wrote.
 */
class BoltWriterTest {
    @TempDir Path tmp;

    /** What etcdctl snapshot status hashes: crc32c over bucket names, keys and values in order. */
    private static final class Expected implements BucketSink {
        final CRC32C crc = new CRC32C();
        int keys;

        @Override public void bucket(byte[] name) { crc.update(name); }

        @Override public void put(byte[] key, byte[] value) {
            crc.update(key);
            crc.update(value);
            keys++;
        }
    }

    private record Both(BucketSink a, BucketSink b) implements BucketSink {
        @Override public void bucket(byte[] name) throws java.io.IOException { a.bucket(name); b.bucket(name); }
        @Override public void put(byte[] k, byte[] v) throws java.io.IOException { a.put(k, v); b.put(k, v); }
    }

    private static JsonObject status(Path file) {
        Cli.Result r = Cli.run(List.of("etcdctl", "--write-out", "json", "snapshot", "status", file.toString()));
        assertEquals(0, r.exitCode(), r.output());
        return new JsonObject(r.output().substring(r.output().indexOf('{')));
    }

    @Test
    void manyKeysAndLargeValuesMakeADeepTreeThatBboltReads() throws Exception {
        Assumptions.assumeTrue(Cli.available("etcdctl"), "etcd-client is installed");
        Path file = tmp.resolve("db");
        Expected expected = new Expected();
        Random rnd = new Random(42);
        long lastRev = 0;
        try (BoltWriter bolt = new BoltWriter(file)) {
            Both out = new Both(bolt, expected);
            out.bucket(bytes("aaa-empty"));
            out.bucket(bytes("big"));
            // Values from a few bytes to several pages: overflow pages, and leaves of one element.
            for (int i = 0; i < 300; i++) {
                byte[] v = new byte[i % 7 == 0 ? 3 * 4096 + rnd.nextInt(60_000) : rnd.nextInt(3000)];
                rnd.nextBytes(v);
                out.put(bytes(String.format("big/%05d", i)), v);
            }
            // 200k revision keys: three levels of pages (leaves, branches, root).
            out.bucket(bytes("key"));
            for (long rev = 2; rev < 200_002; rev++) {
                byte[] v = new byte[rnd.nextInt(40)];
                rnd.nextBytes(v);
                out.put(EtcdRevisionKey.of(rev, 0, rev % 1000 == 0), v);
                lastRev = rev;
            }
            // Long keys: branch pages hold few separators, so the branch levels grow too.
            out.bucket(bytes("long-keys"));
            for (int i = 0; i < 20_000; i++) {
                out.put(bytes(String.format("%08d", i) + "x".repeat(900)), bytes("v" + i));
            }
            out.bucket(bytes("meta"));
            out.put(bytes("consistent_index"), new byte[8]);
            bolt.finish();
            assertEquals(bolt.length(), Files.size(file));
        }
        JsonObject st = status(file);
        assertEquals(Integer.toUnsignedLong((int) expected.crc.getValue()), st.getLong("hash"), st.encode());
        assertEquals(expected.keys, st.getInteger("totalKey"));
        assertEquals(lastRev, st.getLong("revision"));
        assertEquals(Files.size(file), st.getLong("totalSize"));
    }

    @Test
    void emptyDatabaseIsValid() throws Exception {
        Assumptions.assumeTrue(Cli.available("etcdctl"), "etcd-client is installed");
        Path file = tmp.resolve("empty");
        try (BoltWriter bolt = new BoltWriter(file)) {
            bolt.finish();
        }
        JsonObject st = status(file);
        assertEquals(0, st.getInteger("totalKey"));
    }

    @Test
    void refusesKeysOutOfOrder() throws Exception {
        try (BoltWriter bolt = new BoltWriter(tmp.resolve("x"))) {
            bolt.bucket(bytes("b"));
            bolt.put(bytes("k2"), bytes("v"));
            assertThrows(IllegalArgumentException.class, () -> bolt.put(bytes("k1"), bytes("v")));
            assertThrows(IllegalArgumentException.class, () -> bolt.bucket(bytes("a")));
        }
        assertTrue(Files.exists(tmp.resolve("x")));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
