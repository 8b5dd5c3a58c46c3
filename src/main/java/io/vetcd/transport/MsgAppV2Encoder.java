package io.vetcd.transport;

import io.vertx.core.buffer.Buffer;
import io.vetcd.raft.Entry;
import io.vetcd.raft.Message;

/**
 * etcd's msgappv2 framing, for the {@code msgapp} stream. Three kinds of frame, by a leading byte:
 * 0, a link heartbeat (that byte alone); 2, a whole message (8-byte big-endian length and its
 * raftpb bytes); 1, "AppEntries": a MsgApp that continues exactly where the previous one on this
 * stream left off (same term as its log term, index right after the last entry sent), written as
 * an 8-byte entry count, each entry as an 8-byte length and its raftpb bytes, and an 8-byte
 * commit; the reader rebuilds from, to, term, log term and index from its own copy of the state.
 * So the state here must advance exactly as the reader's does: only with what is actually written.
 */
final class MsgAppV2Encoder implements StreamEncoder {
    static final byte LINK_HEARTBEAT = 0;
    static final byte APP_ENTRIES = 1;
    static final byte APP = 2;

    private long term;
    private long index;

    @Override
    public void append(Buffer out, Message m) {
        if (MessageFrameEncoder.isLinkHeartbeat(m)) {
            appendLinkHeartbeat(out);
        } else if (index == m.index() && term == m.logTerm() && m.logTerm() == m.term()) {
            out.appendByte(APP_ENTRIES).appendLong(m.entries().size());
            for (Entry e : m.entries()) {
                byte[] b = EtcdRaftMessageCodec.encodeEntry(e);
                out.appendLong(b.length).appendBytes(b);
                index++;
            }
            out.appendLong(m.commit());
        } else {
            byte[] b = EtcdRaftMessageCodec.encode(m);
            out.appendByte(APP).appendLong(b.length).appendBytes(b);
            term = m.term();
            index = m.entries().isEmpty() ? m.index() : m.entries().get(m.entries().size() - 1).index();
        }
    }

    @Override
    public void appendLinkHeartbeat(Buffer out) {
        out.appendByte(LINK_HEARTBEAT);
    }
}
