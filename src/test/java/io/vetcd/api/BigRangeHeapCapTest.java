package io.vetcd.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.PutOption;
import io.vetcd.testing.Cli;
import io.vetcd.testing.Ports;
import io.vetcd.testing.ServerProcess;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A member whose heap is smaller than the answer still delivers it whole: a vetcd JVM capped at
 * {@value #HEAP_MB} MiB serves a {@code get "" --from-key} of about 144 MiB to etcdctl, and the
 * RangeResponse bytes (after the header, which names a different cluster and member) are identical
 * to those real etcd 3.4 gives for the same writes. Before answers were streamed this member died
 * with OutOfMemoryError.
 */
class BigRangeHeapCapTest {
    static final int HEAP_MB = 96;
    static final int KEYS = 18_000;
    static final int VALUE_BYTES = 8 * 1024;
    static final int PUTS_PER_TXN = 128; // 1 MiB per request, under the 1.5 MiB default limit

    @TempDir
    Path dir;

    @Test
    void answerBiggerThanTheHeapIsDeliveredIntactAndIdenticalToEtcds() throws Exception {
        Assumptions.assumeTrue(Cli.available("etcd") && Cli.available("etcdctl"), "etcd-server and etcd-client are installed");
        try (ServerProcess etcd = ServerProcess.realEtcd();
             ServerProcess vetcd = ServerProcess.vetcdJvm(List.of("-Xmx" + HEAP_MB + "m", "-XX:+ExitOnOutOfMemoryError"),
                 dir.resolve("vetcd"), Ports.free(), Ports.free(),
                 // keep the raft log in memory short: the test is about the answer, not the log
                 "--snapshot-count", "20", "--experimental-snapshot-catchup-entries", "10")) {
            load(etcd.endpoint());
            load(vetcd.endpoint());

            Path fromEtcd = get(etcd.endpoint(), "etcd.pb");
            Path fromVetcd = get(vetcd.endpoint(), "vetcd.pb");
            assertTrue(Files.size(fromVetcd) > (long) HEAP_MB << 20, "the answer is bigger than the heap: " + Files.size(fromVetcd));
            assertSameAfterHeader(fromEtcd, fromVetcd);

            assertTrue(vetcd.process.isAlive(), "vetcd still serving:\n" + vetcd.output());
            assertFalse(vetcd.output().contains("OutOfMemoryError"), vetcd.output());
            // and it still answers small requests
            Cli.Result small = Cli.etcdctl(vetcd.endpoint(), "get", "hc/000007", "--print-value-only");
            assertEquals(VALUE_BYTES, small.output().trim().length(), small.toString());
        }
    }

    /** The same writes, in the same order and the same transactions, so revisions match too. */
    private static void load(String endpoint) throws Exception {
        try (Client c = Client.builder().endpoints(endpoint).build()) {
            for (int t = 0; t * PUTS_PER_TXN < KEYS; t++) {
                List<Op> ops = new ArrayList<>();
                for (int i = t * PUTS_PER_TXN; i < Math.min(KEYS, (t + 1) * PUTS_PER_TXN); i++) {
                    ops.add(Op.put(ByteSequence.from(String.format("hc/%06d", i).getBytes()),
                        ByteSequence.from(value(i)), PutOption.DEFAULT));
                }
                c.getKVClient().txn().Then(ops.toArray(new Op[0])).commit().get(60, TimeUnit.SECONDS);
            }
        }
    }

    private static byte[] value(int i) {
        byte[] v = new byte[VALUE_BYTES];
        Random r = new Random(i);
        for (int j = 0; j < v.length; j++) {
            v[j] = (byte) ('a' + r.nextInt(26));
        }
        return v;
    }

    /** etcdctl's protobuf output: the raw RangeResponse, written to a file (not this JVM's heap). */
    private Path get(String endpoint, String name) throws Exception {
        Path out = dir.resolve(name);
        Process p = new ProcessBuilder("etcdctl", "--endpoints", endpoint, "--command-timeout=120s",
            "get", "", "--from-key", "-w", "protobuf")
            .redirectOutput(out.toFile()).redirectError(dir.resolve(name + ".err").toFile()).start();
        assertTrue(p.waitFor(180, TimeUnit.SECONDS), "etcdctl finished");
        assertEquals(0, p.exitValue(), () -> name + ": " + read(dir.resolve(name + ".err")));
        return out;
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            return e.toString();
        }
    }

    /** Skips field 1 (header) of both messages, then compares every remaining byte. */
    private static void assertSameAfterHeader(Path a, Path b) throws IOException {
        assertEquals(Files.size(a) - headerFieldLength(a), Files.size(b) - headerFieldLength(b), "answer sizes after the header");
        try (InputStream x = new BufferedInputStream(Files.newInputStream(a), 1 << 16);
             InputStream y = new BufferedInputStream(Files.newInputStream(b), 1 << 16)) {
            x.skipNBytes(headerFieldLength(a));
            y.skipNBytes(headerFieldLength(b));
            long pos = 0;
            int p;
            while ((p = x.read()) != -1) {
                int q = y.read();
                if (p != q) {
                    throw new AssertionError("answers differ at byte " + pos + " after the header");
                }
                pos++;
            }
            assertEquals(-1, y.read(), "vetcd's answer is not longer");
        }
    }

    private static long headerFieldLength(Path f) throws IOException {
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(f)))) {
            assertEquals(0x0A, in.readUnsignedByte(), "RangeResponse starts with its header");
            long len = 0;
            int shift = 0;
            int n = 1;
            while (true) {
                int x = in.readUnsignedByte();
                n++;
                len |= (long) (x & 0x7F) << shift;
                if ((x & 0x80) == 0) {
                    break;
                }
                shift += 7;
            }
            return n + len;
        }
    }
}
