package io.vetcd.etcdformat;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.vetcd.pb.etcdwal.Metadata;
import io.vetcd.pb.etcdwal.Record;
import io.vetcd.pb.raft.Entry;
import io.vetcd.pb.raft.HardState;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Reads an etcd 3.4 WAL directory ({@code member/wal}): every record of every segment, in order.
 *
 * <p>Each record is framed by 8 little-endian bytes: the low 56 bits are the length of the
 * protobuf {@code walpb.Record}, and when the top bit is set the next 3 bits count the zero bytes
 * padding it to 8-byte alignment. Every record's CRC-32C continues the one before (a {@code crc}
 * record at the start of each segment carries the running value over). A zero frame ends a segment
 * (etcd preallocates segments with zeros). As etcd does on open, a damaged record at the very end of
 * the last segment is taken as a write torn by a crash and dropped; damage anywhere else is an error.
 */
public final class EtcdWalReader {
    private static final Pattern SEGMENT_NAME = Pattern.compile("[0-9a-f]{16}-[0-9a-f]{16}\\.wal");
    private static final int METADATA = 1;
    private static final int ENTRY = 2;
    private static final int STATE = 3;
    private static final int CRC = 4;
    private static final int SNAPSHOT = 5;
    /** No etcd record comes near this; a bigger frame means garbage, not data. */
    private static final long MAX_RECORD = 1L << 30;

    /** Everything an etcd WAL holds that a member needs to start from it. */
    public record Contents(long nodeId, long clusterId, HardState hardState, List<Entry> entries,
                           List<io.vetcd.pb.etcdwal.Snapshot> snapshots) {
        /** The entry at {@code index}, or null if the WAL does not hold it. */
        public Entry entry(long index) {
            if (entries.isEmpty()) return null;
            long first = entries.get(0).getIndex();
            if (index < first || index - first >= entries.size()) return null;
            return entries.get((int) (index - first));
        }
    }

    private EtcdWalReader() {}

    /** Segment files in {@code dir} named as etcd names them, oldest first. */
    public static List<Path> segments(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) return List.of();
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> SEGMENT_NAME.matcher(p.getFileName().toString()).matches()).sorted().toList();
        }
    }

    /**
     * True if {@code dir}'s first segment starts with an etcd record: its names are the same as
     * vetcd's own WAL segments, so only the content tells them apart.
     */
    public static boolean isEtcdWal(Path dir) {
        try {
            List<Path> segs = segments(dir);
            if (segs.isEmpty()) return false;
            try (FileChannel ch = FileChannel.open(segs.get(0), StandardOpenOption.READ)) {
                if (ch.size() < 16) return false;
                ByteBuffer head = readFully(ch, 0, 8);
                long frame = head.getLong(0);
                long len = frame & 0x00FF_FFFF_FFFF_FFFFL;
                int pad = frame < 0 ? (int) ((frame >>> 56) & 0x7) : 0;
                if (len == 0 || len > 4096 || 8 + len + pad > ch.size()) return false;
                Record r = Record.parseFrom(readFully(ch, 8, (int) len));
                return r.hasType() && (r.getType() == CRC || r.getType() == METADATA);
            }
        } catch (IOException e) {
            return false;
        }
    }

    public static Contents read(Path dir) throws IOException {
        List<Path> segs = segments(dir);
        if (segs.isEmpty()) throw new EtcdFormatException("no etcd WAL segments in " + dir);
        int crc = 0;
        ByteString metadata = null;
        HardState state = HardState.getDefaultInstance();
        List<Entry> entries = new ArrayList<>();
        List<io.vetcd.pb.etcdwal.Snapshot> snapshots = new ArrayList<>();
        for (int s = 0; s < segs.size(); s++) {
            boolean lastSegment = s == segs.size() - 1;
            Path seg = segs.get(s);
            try (FileChannel ch = FileChannel.open(seg, StandardOpenOption.READ)) {
                long size = ch.size();
                long off = 0;
                while (off + 8 <= size) {
                    long frame = readFully(ch, off, 8).getLong(0);
                    if (frame == 0) break;
                    long len = frame & 0x00FF_FFFF_FFFF_FFFFL;
                    int pad = frame < 0 ? (int) ((frame >>> 56) & 0x7) : 0;
                    Record rec = null;
                    if (len <= MAX_RECORD && off + 8 + len + pad <= size) {
                        try {
                            rec = Record.parseFrom(readFully(ch, off + 8, (int) len));
                        } catch (InvalidProtocolBufferException e) {
                            rec = null;
                        }
                    }
                    int expected = rec == null ? 0 : rec.getType() == CRC ? crc : Crc32c.update(crc, rec.getData().toByteArray());
                    if (rec == null || (rec.getType() != CRC || crc != 0) && rec.getCrc() != expected) {
                        if (lastSegment && isTail(ch, off, len, pad, size)) break; // torn last write
                        throw new EtcdFormatException("etcd WAL " + seg + " is damaged at offset " + off
                            + (rec == null ? ": unreadable record" : ": CRC mismatch"));
                    }
                    crc = rec.getType() == CRC ? rec.getCrc() : expected;
                    switch ((int) rec.getType()) {
                        case METADATA -> {
                            if (metadata != null && !metadata.equals(rec.getData())) {
                                throw new EtcdFormatException("etcd WAL " + seg + " has conflicting metadata");
                            }
                            metadata = rec.getData();
                        }
                        case ENTRY -> append(entries, Entry.parseFrom(rec.getData()), seg);
                        case STATE -> state = HardState.parseFrom(rec.getData());
                        case SNAPSHOT -> snapshots.add(io.vetcd.pb.etcdwal.Snapshot.parseFrom(rec.getData()));
                        case CRC -> { }
                        default -> throw new EtcdFormatException("etcd WAL " + seg + " has a record of unknown type "
                            + rec.getType() + " at offset " + off);
                    }
                    off += 8 + len + pad;
                }
            }
        }
        if (metadata == null) throw new EtcdFormatException("etcd WAL in " + dir + " has no metadata record");
        Metadata md = Metadata.parseFrom(metadata);
        if (md.getNodeID() == 0 || md.getClusterID() == 0) {
            throw new EtcdFormatException("etcd WAL in " + dir + " names no member or cluster id");
        }
        return new Contents(md.getNodeID(), md.getClusterID(), state, List.copyOf(entries), List.copyOf(snapshots));
    }

    /** Raft semantics: an entry at or below the last one replaces it and everything after it. */
    private static void append(List<Entry> entries, Entry e, Path seg) {
        if (!entries.isEmpty()) {
            long first = entries.get(0).getIndex();
            long next = first + entries.size();
            if (e.getIndex() > next) {
                throw new EtcdFormatException("etcd WAL " + seg + " skips from entry " + (next - 1) + " to " + e.getIndex());
            }
            if (e.getIndex() < first) {
                entries.clear();
            } else if (e.getIndex() < next) {
                entries.subList((int) (e.getIndex() - first), entries.size()).clear();
            }
        }
        entries.add(e);
    }

    /** Whether nothing but the damaged record (and zeros) follows: the signature of a torn final write. */
    private static boolean isTail(FileChannel ch, long off, long len, int pad, long size) throws IOException {
        long after = off + 8 + Math.min(len + pad, size);
        if (after >= size) return true;
        long probe = Math.min(size - after, 1 << 16);
        ByteBuffer rest = readFully(ch, after, (int) Math.max(0, Math.min(probe, size - after)));
        while (rest.hasRemaining()) if (rest.get() != 0) return false;
        return true;
    }

    private static ByteBuffer readFully(FileChannel ch, long offset, int len) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(len).order(ByteOrder.LITTLE_ENDIAN);
        while (buf.hasRemaining()) {
            if (ch.read(buf, offset + buf.position()) < 0) throw new EOFException("end of " + ch + " at " + offset);
        }
        return buf.flip();
    }
}
