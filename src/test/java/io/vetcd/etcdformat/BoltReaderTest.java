package io.vetcd.etcdformat;

import io.vetcd.testing.TempDirs;

import io.vetcd.pb.mvcc.KeyValue;
import io.vetcd.testing.Cli;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Reads bbolt files written by a real etcd 3.4: a snapshot from {@code etcdctl snapshot save} and
 * the member's own backend, holding enough keys for a multi-level tree and values bigger than a
 * page (overflow pages).
 */
class BoltReaderTest {
    private static Path dir;
    private static Path snapshot;
    private static Path backend;
    /** main revision -> (key, value) as put. */
    private static final TreeMap<Long, byte[][]> puts = new TreeMap<>();

    @BeforeAll
    static void writeWithRealEtcd() throws Exception {
        Assumptions.assumeTrue(Cli.available("etcd") && Cli.available("etcdctl"), "etcd-server and etcd-client are installed");
        dir = TempDirs.create("bolt-reader");
        Random rnd = new Random(42);
        try (RealEtcd etcd = RealEtcd.start(dir.resolve("data"))) {
            for (int i = 0; i < 3000; i++) {
                byte[] k = String.format("key/%05d", i).getBytes(StandardCharsets.UTF_8);
                byte[] v = new byte[100 + rnd.nextInt(200)];
                rnd.nextBytes(v);
                puts.put(etcd.put(k, v, 0), new byte[][]{k, v});
            }
            for (int i = 0; i < 12; i++) {
                byte[] k = ("big/" + i).getBytes(StandardCharsets.UTF_8);
                byte[] v = new byte[20_000 + i * 7_000];
                rnd.nextBytes(v);
                puts.put(etcd.put(k, v, 0), new byte[][]{k, v});
            }
            snapshot = dir.resolve("snapshot.db");
            Cli.Result r = etcd.ctl("snapshot", "save", snapshot.toString());
            assertEquals(0, r.exitCode(), r.output());
        }
        backend = dir.resolve("data/member/snap/db");
    }

    @AfterAll
    static void cleanUp() throws Exception {
        if (dir != null) Cli.run(List.of("rm", "-rf", dir.toString()));
    }

    @Test
    void iteratesEveryRevisionInOrderFromSnapshotAndBackend() throws Exception {
        for (Path file : List.of(snapshot, backend)) {
            assertTrue(BoltReader.isBoltFile(file));
            try (BoltReader bolt = BoltReader.open(file)) {
                BoltReader.Bucket keys = bolt.bucket("key");
                assertNotNull(keys);
                assertTrue(keys.depth() >= 2, "expected a multi-level tree, depth " + keys.depth());
                List<Long> revisions = new ArrayList<>();
                bolt.bucket("key").forEach((k, v) -> {
                    assertEquals(17, k.length);
                    long main = ByteBuffer.wrap(k).getLong(0);
                    revisions.add(main);
                    KeyValue kv = KeyValue.parseFrom(v);
                    byte[][] expected = puts.get(main);
                    assertNotNull(expected, "unexpected revision " + main);
                    assertArrayEquals(expected[0], kv.getKey().toByteArray());
                    assertArrayEquals(expected[1], kv.getValue().toByteArray(), "value at revision " + main);
                    assertEquals(main, kv.getModRevision());
                });
                assertEquals(new ArrayList<>(puts.keySet()), revisions);
            }
        }
    }

    @Test
    void findsKeysThroughBranchesAndInlineBuckets() throws Exception {
        try (BoltReader bolt = BoltReader.open(snapshot)) {
            for (long rev : List.of(puts.firstKey(), puts.lastKey(), puts.firstKey() + 1500, puts.lastKey() - 3)) {
                byte[] revKey = ByteBuffer.allocate(17).putLong(rev).put((byte) '_').putLong(0).array();
                KeyValue kv = KeyValue.parseFrom(bolt.bucket("key").get(revKey));
                assertArrayEquals(puts.get(rev)[1], kv.getValue().toByteArray());
            }
            byte[] missing = ByteBuffer.allocate(17).putLong(puts.lastKey() + 100).put((byte) '_').putLong(0).array();
            assertNull(bolt.bucket("key").get(missing));
            byte[] ci = bolt.bucket("meta").get("consistent_index".getBytes(StandardCharsets.UTF_8));
            assertEquals(8, ci.length);
            List<String> buckets = new ArrayList<>();
            bolt.root().forEach((k, v) -> {
                assertNull(v, "the root holds only buckets");
                buckets.add(new String(k, StandardCharsets.UTF_8));
            });
            assertTrue(buckets.containsAll(List.of("key", "meta", "lease", "members", "cluster")), buckets.toString());
            assertEquals(buckets.stream().sorted().toList(), buckets);
            BoltReader.Bucket members = bolt.bucket("members");
            assertTrue(members.isInline(), "a one-member bucket is stored inline");
            List<String> json = new ArrayList<>();
            members.forEach((k, v) -> json.add(new String(v, StandardCharsets.UTF_8)));
            assertEquals(1, json.size());
            assertTrue(json.get(0).contains("\"name\":\"node1\""), json.get(0));
            assertNull(bolt.bucket("no-such-bucket"));
        }
    }

    @Test
    void usesTheOtherMetaPageWhenOneIsDamagedAndRefusesWhenBothAre() throws Exception {
        Path copy = dir.resolve("damaged.db");
        Files.copy(snapshot, copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        int pageSize;
        try (BoltReader bolt = BoltReader.open(copy)) {
            pageSize = bolt.pageSize();
        }
        flipByte(copy, 16 + 20); // inside meta page 0's root pointer: checksum no longer matches
        try (BoltReader bolt = BoltReader.open(copy)) {
            int[] n = {0};
            bolt.bucket("key").forEach((k, v) -> n[0]++);
            assertEquals(puts.size(), n[0]);
        }
        flipByte(copy, pageSize + 16 + 20);
        EtcdFormatException e = assertThrows(EtcdFormatException.class, () -> BoltReader.open(copy));
        assertTrue(e.getMessage().contains("no valid meta page"), e.getMessage());
        assertTrue(!BoltReader.isBoltFile(dir.resolve("snapshot-missing.db")));
    }

    @Test
    void refusesAPageThatIsNotWhereItClaimsToBe() throws Exception {
        Path copy = dir.resolve("damaged-page.db");
        Files.copy(snapshot, copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        int pageSize;
        try (BoltReader bolt = BoltReader.open(copy)) {
            pageSize = bolt.pageSize();
        }
        long leafOffset = 4L * pageSize; // pages 0-1 are metas; any data page after them will do
        // overwrite the id of every page from page 4 on: whatever the tree reaches first is then wrong
        try (RandomAccessFile f = new RandomAccessFile(copy.toFile(), "rw")) {
            long size = f.length();
            for (long off = leafOffset; off + 8 < size; off += pageSize) {
                f.seek(off);
                f.write(new byte[]{(byte) 0xEE, (byte) 0xEE, 0, 0, 0, 0, 0, 0});
            }
        }
        assertThrows(EtcdFormatException.class, () -> {
            try (BoltReader bolt = BoltReader.open(copy)) {
                bolt.bucket("key").forEach((k, v) -> { });
            }
        });
    }

    private static void flipByte(Path file, long offset) throws Exception {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(offset);
            int b = f.read();
            f.seek(offset);
            f.write(b ^ 0xFF);
        }
    }
}
