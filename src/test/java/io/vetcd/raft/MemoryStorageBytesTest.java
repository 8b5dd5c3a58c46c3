package io.vetcd.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The payload count the server bounds the raft log's heap by, through appends, truncation, compaction and snapshots. */
class MemoryStorageBytesTest {

    private static List<Entry> entries(long from, long to, long term, int size) {
        List<Entry> out = new ArrayList<>();
        for (long i = from; i <= to; i++) out.add(new Entry(term, i, EntryType.NORMAL, new byte[size]));
        return out;
    }

    @Test
    void countsAppendedTruncatedAndCompactedPayload() {
        MemoryStorage s = new MemoryStorage();
        s.append(entries(1, 10, 1, 100));
        assertEquals(1000, s.dataBytes());
        s.append(entries(8, 9, 2, 7)); // conflicting suffix 8..10 replaced by 8..9
        assertEquals(700 + 14, s.dataBytes());
        s.compact(5); // drops 1..5, entry 5 becomes the dummy
        assertEquals(200 + 14, s.dataBytes());
        s.applySnapshot(new Snapshot(new SnapshotMetadata(20, 2, ConfState.EMPTY), Message.NO_BYTES));
        assertEquals(0, s.dataBytes());
    }

    @Test
    void catchUpTailIsBoundedByBytes() {
        MemoryStorage s = new MemoryStorage();
        s.append(entries(1, 100, 1, 1000));
        // at most 10,000 bytes through index 90: entries 81..90 are kept, 80 becomes the dummy
        assertEquals(80, s.compactionPointWithin(90, 10_000));
        assertEquals(80, s.compactionPointWithin(90, 10_999));
        assertEquals(0, s.compactionPointWithin(90, 1_000_000)); // everything fits: nothing to drop
        assertEquals(90, s.compactionPointWithin(90, 500)); // one entry is already too big
        s.compact(s.compactionPointWithin(90, 10_000));
        assertEquals(20 * 1000, s.dataBytes()); // 81..100
    }
}
