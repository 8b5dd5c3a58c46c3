package io.vetcd.server.watch;

import io.vetcd.pb.etcdserver.WatchResponse;
import io.vetcd.pb.mvcc.Event;

import java.util.function.Consumer;

/**
 * Splits a response of a watcher created with {@code fragment=true} whose size reaches
 * {@code --max-request-bytes} into several responses, each with as many events as fit (at least
 * one), {@code fragment=true} on all but the last — etcd's sendFragments.
 */
final class Fragmenter {
    private Fragmenter() {}

    static void send(WatchResponse r, long maxBytes, Consumer<WatchResponse> out) {
        if (r.getSerializedSize() < maxBytes || r.getEventsCount() < 2) {
            out.accept(r);
            return;
        }
        WatchResponse.Builder empty = r.toBuilder().clearEvents().setFragment(true);
        int idx = 0;
        int n = r.getEventsCount();
        while (idx < n) {
            WatchResponse.Builder cur = empty.clone();
            long size = cur.build().getSerializedSize();
            while (idx < n) {
                Event e = r.getEvents(idx);
                // field tag + length prefix + event
                long add = 1 + com.google.protobuf.CodedOutputStream.computeUInt32SizeNoTag(e.getSerializedSize())
                    + e.getSerializedSize();
                if (cur.getEventsCount() > 0 && size + add >= maxBytes) break;
                cur.addEvents(e);
                size += add;
                idx++;
            }
            if (idx == n) cur.setFragment(false);
            out.accept(cur.build());
        }
    }
}
