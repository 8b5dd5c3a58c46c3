package io.vetcd.server.watch;

import io.vetcd.mvcc.CompactedException;
import io.vetcd.mvcc.MvccStore;
import io.vetcd.pb.mvcc.Event;

import java.util.List;

/**
 * One bounded read of the revision log for the unsynced watchers of a stream: the events from the
 * lowest revision any of them still needs, complete revisions only.
 *
 * @param compactRevision watchers needing a revision below this one have lost history
 * @param events events in revision order, each revision complete
 * @param readThrough every revision up to this one has been read (the events hold all of them)
 * @param bytes serialized size of the events, to size the next read
 * @param storeRevision the store's revision when the read started: etcd's catch-up answers carry it
 *     as their header revision, also when this chunk stops short of it
 */
record HistoryChunk(long compactRevision, List<Event> events, long readThrough, long bytes, long storeRevision) {

    /** Worker thread. {@code from[i]} is the next revision watcher i needs. */
    static HistoryChunk read(MvccStore store, long[] from, int maxEvents) {
        while (true) {
            long compact = store.compactRevision();
            long to = store.currentRevision();
            long min = Long.MAX_VALUE;
            for (long f : from) {
                if (f >= compact) min = Math.min(min, f);
            }
            if (min == Long.MAX_VALUE || min > to) return new HistoryChunk(compact, List.of(), to, 0, to);
            try {
                List<Event> events = store.eventsBetween(min, to, maxEvents);
                long through = events.size() >= maxEvents ? events.get(events.size() - 1).getKv().getModRevision() : to;
                long bytes = 0;
                for (Event e : events) bytes += e.getSerializedSize();
                return new HistoryChunk(compact, events, through, bytes, to);
            } catch (CompactedException e) {
                // a compaction raced the read: re-check which watchers lost history
            }
        }
    }
}
