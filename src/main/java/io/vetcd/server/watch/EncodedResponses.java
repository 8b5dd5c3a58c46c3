package io.vetcd.server.watch;

import com.google.protobuf.CodedOutputStream;
import io.vetcd.pb.etcdserver.ResponseHeader;
import io.vetcd.pb.etcdserver.WatchResponse;
import io.vetcd.pb.mvcc.Event;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds the protobuf bytes of an events-only {@link WatchResponse} (header, watch_id, events) from
 * parts encoded once and shared: a revision's events reach every watcher of their keys as the same
 * {@link Event} objects, so each is encoded once per drain instead of once per watcher. The result
 * is byte-identical to {@code WatchResponse.toByteArray()}: fields in number order, watch_id left
 * out when 0, and an event without its prev_kv is its encoding cut before field 3 (the last field).
 *
 * <p>Event loop only. {@link #clear} drops the cached encodings (call it when a drain ends, so the
 * cache holds at most one drain's events).
 */
final class EncodedResponses {
    private static final int HEADER = 1;
    private static final int WATCH_ID = 2;
    private static final int EVENTS = 11;

    /** One event's encoding, and its length without prev_kv. */
    private record EncodedEvent(byte[] bytes, int lengthWithoutPrevKv) {}

    private final Map<Event, EncodedEvent> events = new IdentityHashMap<>();
    private long headerRev = -1;
    private byte[] header;

    /** The bytes of a response to {@code watchId} at {@code header}'s revision carrying {@code evs}. */
    byte[] response(long rev, ResponseHeader h, long watchId, List<Event> evs, boolean prevKv) {
        if (rev != headerRev || header == null) {
            header = h.toByteArray();
            headerRev = rev;
        }
        int size = CodedOutputStream.computeByteArraySize(HEADER, header);
        if (watchId != 0) size += CodedOutputStream.computeInt64Size(WATCH_ID, watchId);
        EncodedEvent[] enc = new EncodedEvent[evs.size()];
        for (int i = 0; i < enc.length; i++) {
            enc[i] = encode(evs.get(i));
            int len = prevKv ? enc[i].bytes().length : enc[i].lengthWithoutPrevKv();
            size += CodedOutputStream.computeTagSize(EVENTS) + CodedOutputStream.computeUInt32SizeNoTag(len) + len;
        }
        byte[] out = new byte[size];
        CodedOutputStream o = CodedOutputStream.newInstance(out);
        try {
            o.writeByteArray(HEADER, header);
            if (watchId != 0) o.writeInt64(WATCH_ID, watchId);
            for (EncodedEvent e : enc) {
                o.writeByteArray(EVENTS, e.bytes(), 0, prevKv ? e.bytes().length : e.lengthWithoutPrevKv());
            }
            o.checkNoSpaceLeft();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // cannot happen: the array was sized from the same parts
        }
        return out;
    }

    void clear() { events.clear(); }

    private EncodedEvent encode(Event e) {
        EncodedEvent enc = events.get(e);
        if (enc == null) {
            byte[] b = e.toByteArray();
            int without = b.length;
            if (e.hasPrevKv()) {
                int pk = e.getPrevKv().getSerializedSize();
                without -= CodedOutputStream.computeTagSize(Event.PREV_KV_FIELD_NUMBER)
                    + CodedOutputStream.computeUInt32SizeNoTag(pk) + pk;
            }
            enc = new EncodedEvent(b, without);
            events.put(e, enc);
        }
        return enc;
    }
}
