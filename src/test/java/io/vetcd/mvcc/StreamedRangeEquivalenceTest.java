package io.vetcd.mvcc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import io.vetcd.pb.etcdserver.RangeRequest;
import io.vetcd.pb.etcdserver.RangeResponse;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chunked range paths (key order: {@link RangeSizer} + {@link RangeEncoder}; other orders:
 * {@link SortedRange}, in memory and spilled to disk) must give byte for byte the RangeResponse
 * the materialising path ({@link MvccStore#range}) encodes, for random data (several versions,
 * deletes, leases, values with many ties) and random requests, with tiny chunks so kvs straddle
 * chunk boundaries.
 */
class StreamedRangeEquivalenceTest {

    @TempDir
    Path dir;

    @Test
    void chunkedAnswersEqualMaterialisedOnes() throws Exception {
        long seed = Long.getLong("vetcd.test.seed", System.nanoTime());
        Random r = new Random(seed);
        try (MvccStore s = MvccStore.open(dir.resolve("db"), MvccOptions.defaults())) {
            long index = 1;
            for (int txn = 0; txn < 300; txn++) {
                WriteTxn t = s.beginWrite();
                for (int i = 0; i < 1 + r.nextInt(4); i++) {
                    byte[] k = RandomizedModelTest.randomRequest(r, 1, 1).getKey().toByteArray();
                    if (r.nextInt(6) == 0) {
                        t.deleteRange(k, null);
                    } else {
                        byte[] v = new byte[r.nextInt(3) == 0 ? 0 : 1 + r.nextInt(r.nextInt(10) == 0 ? 3000 : 3)];
                        r.nextBytes(v);
                        t.put(k, v, r.nextInt(4) == 0 ? r.nextLong() & Long.MAX_VALUE : 0);
                    }
                }
                t.commit(index++);
            }
            long rev = s.currentRevision();
            for (int q = 0; q < 1200; q++) {
                RangeRequest req = RandomizedModelTest.randomRequest(r, rev, 1);
                String ctx = "seed " + seed + " request " + req;
                byte[] expected = s.range(req).toResponseBuilder().build().toByteArray();
                try (RangeView view = s.openRangeView(req)) {
                    byte[] actual;
                    if (RangeView.keyOrdered(req)) {
                        RangePlan plan = RangeSizer.plan(view);
                        actual = assemble(plan, new RangeEncoder(view, plan), r);
                    } else {
                        try (SortedRange sorted = SortedRange.build(view, dir.resolve("sort"), r.nextBoolean() ? 0 : 1 << 20)) {
                            actual = assemble(sorted.plan(), sorted, r);
                        }
                    }
                    assertArrayEquals(expected, actual, ctx);
                    if (RangeView.keyOrdered(req)) {
                        assertEquals(printedKvs(s.range(req)), jsonKvs(s, req, r), "JSON " + ctx);
                    }
                    RangeResponse parsed = RangeResponse.parseFrom(actual);
                    assertEquals(s.range(req).count(), parsed.getCount(), ctx);
                }
            }
        }
    }

    private static final com.google.protobuf.util.JsonFormat.Printer PRINTER =
        com.google.protobuf.util.JsonFormat.printer().preservingProtoFieldNames().omittingInsignificantWhitespace();

    /** What the gateway printed for the kvs before answers were streamed: protobuf's JSON printer. */
    private static String printedKvs(RangeResult rr) throws Exception {
        StringBuilder b = new StringBuilder();
        for (var kv : rr.kvs()) {
            b.append(b.length() == 0 ? "" : ",").append(PRINTER.print(kv));
        }
        return b.toString();
    }

    private static String jsonKvs(MvccStore s, RangeRequest req, Random r) throws Exception {
        try (RangeView view = s.openRangeView(req)) {
            RangePlan plan = RangeSizer.plan(view);
            RangeEncoder json = new RangeEncoder(view, plan, true);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            while (!json.done()) {
                ByteBuffer chunk = ByteBuffer.allocate(Math.max(json.nextFieldSize(), 1 + r.nextInt(200)));
                json.fill(chunk);
                out.write(chunk.array(), 0, chunk.position());
            }
            return out.toString(java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    /** kvs written through chunks of random small sizes, then more and count, as the API does. */
    private static byte[] assemble(RangePlan plan, KvFields kvs, Random r) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        long written = 0;
        while (!kvs.done()) {
            ByteBuffer chunk = ByteBuffer.allocate(Math.max(kvs.nextFieldSize(), 1 + r.nextInt(200)));
            kvs.fill(chunk);
            out.write(chunk.array(), 0, chunk.position());
            written += chunk.position();
        }
        assertEquals(plan.kvsBytes(), written, "planned kvs bytes");
        CodedOutputStream c = CodedOutputStream.newInstance(out);
        if (plan.more()) {
            c.writeBool(3, true);
        }
        if (plan.count() != 0) {
            c.writeInt64(4, plan.count());
        }
        c.flush();
        return out.toByteArray();
    }
}
