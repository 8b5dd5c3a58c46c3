package io.vetcd.transport;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import io.vetcd.raft.ConfState;
import io.vetcd.raft.Entry;
import io.vetcd.raft.EntryType;
import io.vetcd.raft.Message;
import io.vetcd.raft.MessageType;
import io.vetcd.raft.Snapshot;
import io.vetcd.raft.SnapshotMetadata;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * A raft {@link Message} as etcd 3.4's {@code raftpb.Message} protobuf, byte for byte what its
 * gogoproto {@code Marshal()} writes (see {@code message Message} in src/main/proto/etcd/raft.proto).
 *
 * <p>Written by hand rather than through the generated classes because gogoproto's
 * {@code nullable=false} fields are always written, zero or not (the generated proto2 Java code
 * writes only what was set), and because the hot path should not copy every entry's data into a
 * {@code ByteString} and back. Decoding accepts fields in any order and skips unknown ones (later
 * etcd versions add fields).
 *
 * <p>One translation: our raft carries a ReadIndex request's context in {@code Message.context}
 * for MsgReadIndex and MsgReadIndexResp, while etcd carries it as {@code entries[0].Data}.
 */
public final class EtcdRaftMessageCodec {
    private EtcdRaftMessageCodec() {}

    // ---- encoding ----

    public static byte[] encode(Message m) {
        byte[] out = new byte[encodedSize(m)];
        CodedOutputStream c = CodedOutputStream.newInstance(out);
        try {
            writeTo(m, c);
            c.checkNoSpaceLeft();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    public static int encodedSize(Message m) {
        int n = CodedOutputStream.computeEnumSize(1, m.type().code)
            + CodedOutputStream.computeUInt64Size(2, m.to())
            + CodedOutputStream.computeUInt64Size(3, m.from())
            + CodedOutputStream.computeUInt64Size(4, m.term())
            + CodedOutputStream.computeUInt64Size(5, m.logTerm())
            + CodedOutputStream.computeUInt64Size(6, m.index());
        for (Entry e : wireEntries(m)) n += lengthDelimitedSize(7, entrySize(e));
        n += CodedOutputStream.computeUInt64Size(8, m.commit());
        n += lengthDelimitedSize(9, snapshotSize(snapshotOf(m)));
        n += CodedOutputStream.computeBoolSize(10, m.reject());
        n += CodedOutputStream.computeUInt64Size(11, m.rejectHint());
        byte[] ctx = wireContext(m);
        if (ctx != null) n += CodedOutputStream.computeByteArraySize(12, ctx);
        return n;
    }

    public static void writeTo(Message m, CodedOutputStream c) throws IOException {
        c.writeEnum(1, m.type().code);
        c.writeUInt64(2, m.to());
        c.writeUInt64(3, m.from());
        c.writeUInt64(4, m.term());
        c.writeUInt64(5, m.logTerm());
        c.writeUInt64(6, m.index());
        for (Entry e : wireEntries(m)) {
            c.writeTag(7, WireFormat.WIRETYPE_LENGTH_DELIMITED);
            c.writeUInt32NoTag(entrySize(e));
            writeEntry(e, c);
        }
        c.writeUInt64(8, m.commit());
        Snapshot s = snapshotOf(m);
        c.writeTag(9, WireFormat.WIRETYPE_LENGTH_DELIMITED);
        c.writeUInt32NoTag(snapshotSize(s));
        writeSnapshot(s, c);
        c.writeBool(10, m.reject());
        c.writeUInt64(11, m.rejectHint());
        byte[] ctx = wireContext(m);
        if (ctx != null) c.writeByteArray(12, ctx);
    }

    /** An entry alone, as msgappv2 frames carry them. */
    public static byte[] encodeEntry(Entry e) {
        byte[] out = new byte[entrySize(e)];
        CodedOutputStream c = CodedOutputStream.newInstance(out);
        try {
            writeEntry(e, c);
            c.checkNoSpaceLeft();
        } catch (IOException x) {
            throw new UncheckedIOException(x);
        }
        return out;
    }

    public static int entrySize(Entry e) {
        int n = CodedOutputStream.computeEnumSize(1, e.type().code)
            + CodedOutputStream.computeUInt64Size(2, e.term())
            + CodedOutputStream.computeUInt64Size(3, e.index());
        // etcd writes Data only when non-nil; an empty entry (a new leader's) has none
        if (e.data().length > 0) n += CodedOutputStream.computeByteArraySize(4, e.data());
        return n;
    }

    private static void writeEntry(Entry e, CodedOutputStream c) throws IOException {
        c.writeEnum(1, e.type().code);
        c.writeUInt64(2, e.term());
        c.writeUInt64(3, e.index());
        if (e.data().length > 0) c.writeByteArray(4, e.data());
    }

    private static boolean isReadIndex(MessageType t) {
        return t == MessageType.MsgReadIndex || t == MessageType.MsgReadIndexResp;
    }

    private static List<Entry> wireEntries(Message m) {
        if (isReadIndex(m.type()) && m.entries().isEmpty() && m.context().length > 0) {
            return List.of(new Entry(0, 0, EntryType.NORMAL, m.context()));
        }
        return m.entries();
    }

    /** The bytes for field 12, or null to leave it out (etcd's nil Context). */
    private static byte[] wireContext(Message m) {
        if (isReadIndex(m.type())) return null;
        return m.context().length > 0 ? m.context() : null;
    }

    private static Snapshot snapshotOf(Message m) {
        return m.snapshot() == null ? Snapshot.EMPTY : m.snapshot();
    }

    private static int snapshotSize(Snapshot s) {
        int n = s.data().length > 0 ? CodedOutputStream.computeByteArraySize(1, s.data()) : 0;
        return n + lengthDelimitedSize(2, metadataSize(s.metadata()));
    }

    private static void writeSnapshot(Snapshot s, CodedOutputStream c) throws IOException {
        if (s.data().length > 0) c.writeByteArray(1, s.data());
        c.writeTag(2, WireFormat.WIRETYPE_LENGTH_DELIMITED);
        c.writeUInt32NoTag(metadataSize(s.metadata()));
        SnapshotMetadata md = s.metadata();
        c.writeTag(1, WireFormat.WIRETYPE_LENGTH_DELIMITED);
        c.writeUInt32NoTag(confStateSize(md.confState()));
        writeConfState(md.confState(), c);
        c.writeUInt64(2, md.index());
        c.writeUInt64(3, md.term());
    }

    private static int metadataSize(SnapshotMetadata md) {
        return lengthDelimitedSize(1, confStateSize(md.confState()))
            + CodedOutputStream.computeUInt64Size(2, md.index())
            + CodedOutputStream.computeUInt64Size(3, md.term());
    }

    /** etcd 3.4's ConfState: voters=1, learners=2 (unpacked), the joint-consensus fields 3 and 4 (never set by an etcd 3.4 server), auto_leave=5 always written. */
    private static int confStateSize(ConfState cs) {
        int n = 0;
        for (long v : cs.voters()) n += CodedOutputStream.computeUInt64Size(1, v);
        for (long v : cs.learners()) n += CodedOutputStream.computeUInt64Size(2, v);
        return n + CodedOutputStream.computeBoolSize(5, false);
    }

    private static void writeConfState(ConfState cs, CodedOutputStream c) throws IOException {
        for (long v : cs.voters()) c.writeUInt64(1, v);
        for (long v : cs.learners()) c.writeUInt64(2, v);
        c.writeBool(5, false);
    }

    private static int lengthDelimitedSize(int field, int length) {
        return CodedOutputStream.computeTagSize(field) + CodedOutputStream.computeUInt32SizeNoTag(length) + length;
    }

    // ---- decoding ----

    /** Throws IllegalArgumentException for anything that is not a raftpb.Message we can take. */
    public static Message decode(byte[] bytes) {
        return decode(bytes, 0, bytes.length);
    }

    public static Message decode(byte[] bytes, int offset, int length) {
        try {
            return readMessage(CodedInputStream.newInstance(bytes, offset, length));
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("undecodable raftpb.Message: " + e.getMessage(), e);
        }
    }

    public static Entry decodeEntry(byte[] bytes, int offset, int length) {
        try {
            return readEntry(CodedInputStream.newInstance(bytes, offset, length));
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("undecodable raftpb.Entry: " + e.getMessage(), e);
        }
    }

    private static Message readMessage(CodedInputStream in) throws IOException {
        int type = 0;
        long to = 0, from = 0, term = 0, logTerm = 0, index = 0, commit = 0, rejectHint = 0;
        boolean reject = false;
        byte[] context = null;
        Snapshot snapshot = null;
        List<Entry> entries = new ArrayList<>();
        for (int tag; (tag = in.readTag()) != 0; ) {
            switch (tag) {
                case (1 << 3) -> type = in.readEnum();
                case (2 << 3) -> to = in.readUInt64();
                case (3 << 3) -> from = in.readUInt64();
                case (4 << 3) -> term = in.readUInt64();
                case (5 << 3) -> logTerm = in.readUInt64();
                case (6 << 3) -> index = in.readUInt64();
                case (7 << 3) | 2 -> entries.add(readNested(in, EtcdRaftMessageCodec::readEntry));
                case (8 << 3) -> commit = in.readUInt64();
                case (9 << 3) | 2 -> snapshot = readNested(in, EtcdRaftMessageCodec::readSnapshot);
                case (10 << 3) -> reject = in.readBool();
                case (11 << 3) -> rejectHint = in.readUInt64();
                case (12 << 3) | 2 -> context = in.readByteArray();
                default -> in.skipField(tag);
            }
        }
        MessageType t = MessageType.ofCode(type);
        if (isReadIndex(t) && entries.size() == 1) {
            // etcd's request context travels as entries[0].Data; ours as context
            context = entries.get(0).data();
            entries = List.of();
        }
        if (snapshot != null && snapshot.isEmpty() && snapshot.data().length == 0 && snapshot.metadata().confState().isEmpty()) {
            snapshot = null; // etcd always writes one; only a real one means anything to our raft
        }
        return new Message(t, from, to, term, logTerm, index, entries, commit, snapshot, reject, rejectHint, context);
    }

    private interface NestedReader<T> {
        T read(CodedInputStream in) throws IOException;
    }

    private static <T> T readNested(CodedInputStream in, NestedReader<T> reader) throws IOException {
        int length = in.readRawVarint32();
        int old = in.pushLimit(length);
        T t = reader.read(in);
        in.checkLastTagWas(0);
        in.popLimit(old);
        return t;
    }

    private static Entry readEntry(CodedInputStream in) throws IOException {
        long term = 0, index = 0;
        int type = 0;
        byte[] data = null;
        for (int tag; (tag = in.readTag()) != 0; ) {
            switch (tag) {
                case (1 << 3) -> type = in.readEnum();
                case (2 << 3) -> term = in.readUInt64();
                case (3 << 3) -> index = in.readUInt64();
                case (4 << 3) | 2 -> data = in.readByteArray();
                default -> in.skipField(tag);
            }
        }
        return new Entry(term, index, EntryType.ofCode(type), data);
    }

    private static Snapshot readSnapshot(CodedInputStream in) throws IOException {
        byte[] data = null;
        SnapshotMetadata md = null;
        for (int tag; (tag = in.readTag()) != 0; ) {
            switch (tag) {
                case (1 << 3) | 2 -> data = in.readByteArray();
                case (2 << 3) | 2 -> md = readNested(in, EtcdRaftMessageCodec::readMetadata);
                default -> in.skipField(tag);
            }
        }
        return new Snapshot(md, data);
    }

    private static SnapshotMetadata readMetadata(CodedInputStream in) throws IOException {
        ConfState cs = null;
        long index = 0, term = 0;
        for (int tag; (tag = in.readTag()) != 0; ) {
            switch (tag) {
                case (1 << 3) | 2 -> cs = readNested(in, EtcdRaftMessageCodec::readConfState);
                case (2 << 3) -> index = in.readUInt64();
                case (3 << 3) -> term = in.readUInt64();
                default -> in.skipField(tag);
            }
        }
        return new SnapshotMetadata(index, term, cs);
    }

    private static ConfState readConfState(CodedInputStream in) throws IOException {
        TreeSet<Long> voters = new TreeSet<>();
        TreeSet<Long> learners = new TreeSet<>();
        for (int tag; (tag = in.readTag()) != 0; ) {
            switch (tag) {
                case (1 << 3) -> voters.add(in.readUInt64());
                case (2 << 3) -> learners.add(in.readUInt64());
                // a packed encoding is legal protobuf for repeated scalars; accept it too
                case (1 << 3) | 2 -> readPacked(in, voters);
                case (2 << 3) | 2 -> readPacked(in, learners);
                default -> in.skipField(tag); // voters_outgoing, learners_next, auto_leave: joint consensus, unused by etcd 3.4's server
            }
        }
        // every message carries a snapshot field, almost always empty: no sets built for it
        return voters.isEmpty() && learners.isEmpty() ? ConfState.EMPTY : new ConfState(voters, learners);
    }

    private static void readPacked(CodedInputStream in, TreeSet<Long> into) throws IOException {
        int old = in.pushLimit(in.readRawVarint32());
        while (in.getBytesUntilLimit() > 0) into.add(in.readUInt64());
        in.popLimit(old);
    }
}
