package io.vetcd.etcdformat;

import io.vetcd.testing.TempDirs;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vetcd.pb.raft.ConfChange;
import io.vetcd.pb.raft.Entry;
import io.vetcd.pb.raft.EntryType;
import io.vetcd.testing.Cli;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reads the WAL a real etcd 3.4 member wrote, and refuses or trims damage the way etcd does. */
class EtcdWalReaderTest {
    private static Path dir;
    private static Path wal;
    private static String memberId;
    private static String clusterId;
    private static long raftIndex;

    @BeforeAll
    static void writeWithRealEtcd() throws Exception {
        Assumptions.assumeTrue(Cli.available("etcd") && Cli.available("etcdctl"), "etcd-server and etcd-client are installed");
        dir = TempDirs.create("etcd-wal");
        try (RealEtcd etcd = RealEtcd.start(dir.resolve("data"))) {
            for (int i = 0; i < 50; i++) etcd.put("k" + i, "v" + i);
            JsonObject status = new JsonArray(etcd.ctl("endpoint", "status", "-w", "json").output())
                .getJsonObject(0).getJsonObject("Status");
            memberId = String.valueOf(status.getJsonObject("header").getValue("member_id"));
            clusterId = String.valueOf(status.getJsonObject("header").getValue("cluster_id"));
            raftIndex = Long.parseLong(String.valueOf(status.getValue("raftIndex")));
        }
        wal = dir.resolve("data/member/wal");
    }

    @AfterAll
    static void cleanUp() {
        if (dir != null) Cli.run(List.of("rm", "-rf", dir.toString()));
    }

    @Test
    void readsMetadataHardStateAndEveryEntry() throws Exception {
        assertTrue(EtcdWalReader.isEtcdWal(wal));
        EtcdWalReader.Contents c = EtcdWalReader.read(wal);
        assertEquals(memberId, Long.toUnsignedString(c.nodeId()));
        assertEquals(clusterId, Long.toUnsignedString(c.clusterId()));
        assertEquals(1, c.entries().get(0).getIndex());
        assertTrue(c.entries().size() >= raftIndex, c.entries().size() + " entries, etcd reported index " + raftIndex);
        assertTrue(c.hardState().getCommit() >= raftIndex);
        Entry first = c.entry(1);
        assertEquals(EntryType.EntryConfChange, first.getType());
        assertEquals(memberId, Long.toUnsignedString(ConfChange.parseFrom(first.getData()).getNodeID()));
        long puts = c.entries().stream().filter(e -> e.getType() == EntryType.EntryNormal
            && EtcdMembership.publishedAttributes(e.getData().toByteArray()) == null && !e.getData().isEmpty()).count();
        assertTrue(puts >= 50, "puts in the WAL: " + puts);
        assertTrue(c.entries().stream().anyMatch(e -> EtcdMembership.publishedAttributes(e.getData().toByteArray()) != null),
            "etcd publishes its attributes through the log");
    }

    @Test
    void aTornLastWriteIsDroppedButDamageInTheMiddleIsRefused() throws Exception {
        Path torn = copy("torn");
        Path segment = EtcdWalReader.segments(torn).get(0);
        long end = dataEnd(segment);
        try (RandomAccessFile f = new RandomAccessFile(segment.toFile(), "rw")) {
            f.seek(end - 3);
            f.write(new byte[3]); // the last record loses its tail, as if the write never completed
        }
        EtcdWalReader.Contents c = EtcdWalReader.read(torn);
        assertTrue(c.entries().size() <= EtcdWalReader.read(wal).entries().size());

        Path damaged = copy("damaged");
        Path seg = EtcdWalReader.segments(damaged).get(0);
        long third = recordOffset(seg, 2);
        try (RandomAccessFile f = new RandomAccessFile(seg.toFile(), "rw")) {
            f.seek(third + 8 + 2);
            int b = f.read();
            f.seek(third + 8 + 2);
            f.write(b ^ 0x55);
        }
        EtcdFormatException e = assertThrows(EtcdFormatException.class, () -> EtcdWalReader.read(damaged));
        assertTrue(e.getMessage().contains("damaged at offset " + third), e.getMessage());
        assertFalse(EtcdWalReader.isEtcdWal(dir), "a directory without segments is no WAL");
    }

    private static Path copy(String name) throws Exception {
        Path out = dir.resolve(name);
        Files.createDirectories(out);
        for (Path p : EtcdWalReader.segments(wal)) Files.copy(p, out.resolve(p.getFileName()), StandardCopyOption.REPLACE_EXISTING);
        return out;
    }

    /** Offset of record number {@code n} (0-based) in a segment, following the frames. */
    private static long recordOffset(Path segment, int n) throws Exception {
        try (RandomAccessFile f = new RandomAccessFile(segment.toFile(), "r")) {
            long off = 0;
            for (int i = 0; i < n; i++) {
                byte[] frame = new byte[8];
                f.seek(off);
                f.readFully(frame);
                long v = ByteBuffer.wrap(frame).order(ByteOrder.LITTLE_ENDIAN).getLong();
                long len = v & 0x00FF_FFFF_FFFF_FFFFL;
                int pad = v < 0 ? (int) ((v >>> 56) & 7) : 0;
                off += 8 + len + pad;
            }
            return off;
        }
    }

    /** Offset just after the last non-zero byte (segments are preallocated with zeros). */
    private static long dataEnd(Path segment) throws Exception {
        byte[] all = Files.readAllBytes(segment);
        int i = all.length;
        while (i > 0 && all[i - 1] == 0) i--;
        return i;
    }
}
