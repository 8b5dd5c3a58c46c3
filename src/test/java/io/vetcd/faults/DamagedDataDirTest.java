package io.vetcd.faults;

import com.google.protobuf.ByteString;
import io.vertx.core.Vertx;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import io.vetcd.pb.etcdserver.KVGrpcClient;
import io.vetcd.pb.etcdserver.PutRequest;
import io.vetcd.pb.etcdserver.RangeRequest;
import io.vetcd.pb.etcdserver.RangeResponse;
import io.vetcd.mvcc.MvccOptions;
import io.vetcd.mvcc.MvccStore;
import io.vetcd.testing.MemberProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 16: a vetcd process restarted on a data dir damaged while it was down. What the member
 * acknowledged must survive, or the start must be refused with a clear error: an interrupted last
 * WAL write is cut off, a bit flip in an acknowledged WAL record or a damaged RocksDB MANIFEST
 * stops the start (and leaves the files as they were), and the backend's writes lost with the
 * process (it keeps no WAL of its own) are made good by replaying the raft WAL, which the
 * backend's durable consistent index points into.
 */
class DamagedDataDirTest {
    @TempDir
    Path tmp;

    private Vertx vertx;
    private MemberProcess member;

    @BeforeEach
    void setUp() {
        vertx = Vertx.vertx();
    }

    @AfterEach
    void tearDown() throws Exception {
        if (member != null) member.stop();
        vertx.close().toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    }

    private void start() throws Exception {
        member.start(MemberProcess.Kind.VETCD, "m1=" + member.peerUrl(), "new", List.of(), 120);
    }

    private int startRefused() throws Exception {
        return member.startExpectingExit(MemberProcess.Kind.VETCD, "m1=" + member.peerUrl(), "new", List.of(), 120);
    }

    private KVGrpcClient kv() {
        return KVGrpcClient.create(GrpcClient.client(vertx), SocketAddress.inetSocketAddress(member.clientPort, "127.0.0.1"));
    }

    private static String value(int i, int size) {
        char[] c = new char[size];
        Arrays.fill(c, (char) ('a' + i % 26));
        return i + ":" + new String(c);
    }

    /** Puts acked/0..n-1, each acknowledged before the next. */
    private void putAcknowledged(int n, int size) throws Exception {
        KVGrpcClient kv = kv();
        for (int i = 0; i < n; i++) {
            kv.put(PutRequest.newBuilder().setKey(ByteString.copyFromUtf8("acked/" + i))
                .setValue(ByteString.copyFromUtf8(value(i, size))).build()).toCompletionStage().toCompletableFuture()
                .get(30, TimeUnit.SECONDS); // a loaded 2-core machine
        }
    }

    private void assertAllAcknowledged(int n, int size) throws Exception {
        RangeResponse r = kv().range(RangeRequest.newBuilder().setKey(ByteString.copyFromUtf8("acked/"))
            .setRangeEnd(ByteString.copyFromUtf8("acked0")).build()).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS); // a loaded 2-core machine
        assertEquals(n, r.getKvsCount(), "acknowledged keys after the restart");
        for (var kv : r.getKvsList()) {
            int i = Integer.parseInt(kv.getKey().toStringUtf8().substring("acked/".length()));
            assertEquals(value(i, size), kv.getValue().toStringUtf8());
        }
    }

    private Path walSegment() throws IOException {
        try (Stream<Path> s = Files.list(member.dataDir.resolve("member/wal"))) {
            return s.filter(p -> p.toString().endsWith(".wal")).max(Comparator.naturalOrder()).orElseThrow();
        }
    }

    /** Where the valid records of a segment end: the first all-zero record header (preallocated space). */
    private static long endOfRecords(Path segment) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(segment)).order(ByteOrder.LITTLE_ENDIAN);
        int pos = 0;
        while (pos + 9 <= b.capacity() && !(b.getInt(pos) == 0 && b.get(pos + 8) == 0)) pos += 9 + b.getInt(pos);
        return pos;
    }

    @Test
    void anInterruptedLastWalWriteIsCutOffAndEveryAcknowledgedWriteSurvives() throws Exception {
        member = new MemberProcess("m1", tmp.resolve("data"));
        start();
        putAcknowledged(100, 100);
        member.kill9();
        // the batch being written when the process died: a record header and the first sector of its
        // payload reached the disk, the rest of the 1000 bytes did not (preallocated space reads as zeros)
        Path seg = walSegment();
        long at = endOfRecords(seg);
        ByteBuffer torn = ByteBuffer.allocate(9 + 300).order(ByteOrder.LITTLE_ENDIAN);
        torn.putInt(1000).putInt(0x12345678).put((byte) 2);
        while (torn.hasRemaining()) torn.put((byte) 0x77);
        try (FileChannel ch = FileChannel.open(seg, StandardOpenOption.WRITE)) {
            ch.write(torn.flip(), at);
        }
        start();
        assertTrue(member.log.toString().contains("repaired a torn tail of the WAL"), member.tail());
        assertAllAcknowledged(100, 100);
    }

    @Test
    void aBitFlipInAnAcknowledgedWalRecordIsRefusedAndTheFilesAreLeftAlone() throws Exception {
        member = new MemberProcess("m1", tmp.resolve("data"));
        start();
        putAcknowledged(50, 2000); // the last put's entry spans several disk sectors
        member.stop();
        Path seg = walSegment();
        byte[] before = Files.readAllBytes(seg);
        byte[] last = value(49, 2000).getBytes();
        int at = indexOf(before, last);
        assertTrue(at > 0, "the last put is in the WAL");
        byte[] damaged = before.clone();
        damaged[at + 1000] ^= 0x10;
        Files.write(seg, damaged);
        int code = startRefused();
        assertNotEquals(0, code, member.tail());
        assertTrue(member.log.toString().contains("corrupt WAL"), member.tail());
        assertTrue(Arrays.equals(damaged, Files.readAllBytes(seg)), "the refused start changed the WAL");
        // an operator who restores the byte gets everything back
        Files.write(seg, before);
        start();
        assertAllAcknowledged(50, 2000);
    }

    @Test
    void aDamagedRocksDbManifestIsRefused() throws Exception {
        member = new MemberProcess("m1", tmp.resolve("data"));
        start();
        putAcknowledged(50, 100);
        member.stop();
        Path manifest;
        try (Stream<Path> s = Files.list(member.dataDir.resolve("member/db"))) {
            manifest = s.filter(p -> p.getFileName().toString().startsWith("MANIFEST-")).max(Comparator.naturalOrder()).orElseThrow();
        }
        byte[] m = Files.readAllBytes(manifest);
        for (int i = m.length / 3; i < m.length / 3 + 16 && i < m.length; i++) m[i] ^= 0x5a;
        Files.write(manifest, m);
        int code = startRefused();
        assertNotEquals(0, code, member.tail());
        assertTrue(member.log.toString().contains("cannot open mvcc store"), member.tail());
    }

    /**
     * The backend writes without a WAL of its own (the raft WAL holds every entry), so kill -9
     * loses every backend write not yet flushed to SST files: here all 200 acknowledged puts. The
     * raft WAL is kept past the backend's durable consistent index, and the restart replays them.
     * Any RocksDB log left is cut in half too (what a torn log did when the backend still had one).
     */
    @Test
    void aBackendThatLostItsUnflushedWritesIsMadeGoodFromTheRaftWal() throws Exception {
        member = new MemberProcess("m1", tmp.resolve("data"));
        start();
        putAcknowledged(200, 100);
        member.kill9();
        Path db = member.dataDir.resolve("member/db");
        try (Stream<Path> s = Files.list(db)) {
            for (Path log : (Iterable<Path>) s.filter(p -> p.getFileName().toString().endsWith(".log"))::iterator) {
                long size = Files.size(log);
                assertTrue(size < 10_000, "the backend keeps no log of its writes: " + log + " has " + size + " bytes");
                try (FileChannel ch = FileChannel.open(log, StandardOpenOption.WRITE)) {
                    ch.truncate(size / 2);
                }
            }
        }
        try (MvccStore backend = MvccStore.open(db, MvccOptions.defaults())) {
            assertTrue(backend.consistentIndex() < 200, "the backend lost the unflushed puts: applied through "
                + backend.consistentIndex() + ", revision " + backend.currentRevision());
        }
        start();
        assertAllAcknowledged(200, 100);
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = hay.length - needle.length; i >= 0; i--) {
            for (int j = 0; j < needle.length; j++) if (hay[i + j] != needle[j]) continue outer;
            return i;
        }
        return -1;
    }
}
