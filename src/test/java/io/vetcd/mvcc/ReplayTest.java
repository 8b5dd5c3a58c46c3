package io.vetcd.mvcc;

import static io.vetcd.mvcc.StoreTestSupport.b;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The consistent index is committed in the same batch as the changes, so a server that replays
 * raft entries with index > consistentIndex after restart ends in the same state as one that
 * applied every entry exactly once.
 */
class ReplayTest {

    @TempDir
    Path dir;

    /** Entry i: put "k{i%3}" = "v{i}"; every 4th entry has no kv change (only meta). */
    private static void apply(MvccStore s, long index) {
        WriteTxn t = s.beginWrite();
        if (index % 4 != 0) {
            t.put(b("k" + index % 3), b("v" + index), 0);
        }
        t.putMeta(b("applied"), b(Long.toString(index)));
        t.commit(index);
    }

    private static void applyFromLog(MvccStore s, long lastIndex) {
        for (long i = s.consistentIndex() + 1; i <= lastIndex; i++) {
            apply(s, i);
        }
    }

    @Test
    void replayAfterRestartIsExactlyOnce() {
        try (MvccStore s = StoreTestSupport.open(dir.resolve("a"))) {
            applyFromLog(s, 10);
        }
        HashKV once;
        long rev;
        try (MvccStore ref = StoreTestSupport.open(dir.resolve("ref"))) {
            applyFromLog(ref, 25);
            once = ref.hashKV(0);
            rev = ref.currentRevision();
        }
        try (MvccStore s = StoreTestSupport.open(dir.resolve("a"))) {
            assertEquals(10, s.consistentIndex());
            assertEquals("10", new String(s.getMeta(b("applied"))));
            applyFromLog(s, 25); // the "raft log" replays from index 1; only 11.. are applied
            assertEquals(once, s.hashKV(0));
            assertEquals(rev, s.currentRevision());
            assertEquals(25, s.consistentIndex());
        }
    }
}
