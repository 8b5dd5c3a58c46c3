package io.vetcd.raft;

import java.util.ArrayList;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * Compact binary form of a {@link Message} for the transport. Layout: a version byte, the type code,
 * then varint fields in record order; optional parts (entries, snapshot) are guarded by counts/flags
 * so an empty heartbeat is a dozen bytes.
 */
public final class MessageCodec {
    private static final int VERSION = 1;

    private MessageCodec() {}

    public static byte[] encode(Message m) {
        int estimate = 32 + m.context().length;
        for (Entry e : m.entries()) estimate += e.data().length + 24;
        if (m.snapshot() != null) estimate += m.snapshot().data().length + 32;
        ByteWriter w = new ByteWriter(estimate);
        w.u8(VERSION);
        w.u8(m.type().code);
        w.varint(m.from());
        w.varint(m.to());
        w.varint(m.term());
        w.varint(m.logTerm());
        w.varint(m.index());
        w.varint(m.commit());
        w.u8(m.reject() ? 1 : 0);
        w.varint(m.rejectHint());
        w.bytes(m.context());
        w.varint(m.entries().size());
        for (Entry e : m.entries()) writeEntry(w, e);
        if (m.snapshot() == null) {
            w.u8(0);
        } else {
            w.u8(1);
            writeSnapshot(w, m.snapshot());
        }
        return w.toByteArray();
    }

    public static Message decode(byte[] bytes) {
        ByteReader r = new ByteReader(bytes);
        int version = r.u8();
        if (version != VERSION) throw new IllegalArgumentException("unsupported message version " + version);
        Message.Builder b = Message.of(MessageType.ofCode(r.u8()))
            .from(r.varint()).to(r.varint()).term(r.varint()).logTerm(r.varint())
            .index(r.varint()).commit(r.varint()).reject(r.u8() != 0).rejectHint(r.varint())
            .context(r.bytes());
        int n = r.length();
        List<Entry> entries = new ArrayList<>(n);
        for (int i = 0; i < n; i++) entries.add(readEntry(r));
        b.entries(entries);
        if (r.u8() != 0) b.snapshot(readSnapshot(r));
        r.expectEnd();
        return b.build();
    }

    static void writeEntry(ByteWriter w, Entry e) {
        w.varint(e.term());
        w.varint(e.index());
        w.u8(e.type().code);
        w.bytes(e.data());
    }

    static Entry readEntry(ByteReader r) {
        return new Entry(r.varint(), r.varint(), EntryType.ofCode(r.u8()), r.bytes());
    }

    static void writeSnapshot(ByteWriter w, Snapshot s) {
        w.varint(s.metadata().index());
        w.varint(s.metadata().term());
        writeIds(w, s.metadata().confState().voters());
        writeIds(w, s.metadata().confState().learners());
        w.bytes(s.data());
    }

    static Snapshot readSnapshot(ByteReader r) {
        long index = r.varint();
        long term = r.varint();
        SortedSet<Long> voters = readIds(r);
        SortedSet<Long> learners = readIds(r);
        return new Snapshot(new SnapshotMetadata(index, term, new ConfState(voters, learners)), r.bytes());
    }

    private static void writeIds(ByteWriter w, SortedSet<Long> ids) {
        w.varint(ids.size());
        for (long id : ids) w.varint(id);
    }

    private static SortedSet<Long> readIds(ByteReader r) {
        int n = r.length();
        SortedSet<Long> ids = new TreeSet<>();
        for (int i = 0; i < n; i++) ids.add(r.varint());
        return ids;
    }
}
