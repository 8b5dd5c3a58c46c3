package io.vetcd.server.watch;

import com.google.protobuf.ByteString;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Key ranges normalised as etcd's watch server does, and matching through the index. */
class WatcherIndexTest {
    static ByteString b(String s) { return ByteString.copyFromUtf8(s); }

    static final ByteString ZERO = ByteString.copyFrom(new byte[]{0});

    static Watcher watcher(long id, String key, ByteString end) {
        return new Watcher(id, null, KeyRange.of(b(key), end), false, false, false, false, false, 1);
    }

    static List<Long> matching(WatcherIndex idx, String key) {
        List<Long> out = new ArrayList<>();
        idx.forEachMatching(b(key), w -> out.add(w.id));
        out.sort(null);
        return out;
    }

    @Test
    void rangesAreNormalisedLikeEtcd() {
        assertEquals(KeyRange.Kind.SINGLE, KeyRange.of(b("a"), ByteString.EMPTY).kind());
        assertEquals(KeyRange.Kind.FROM_KEY, KeyRange.of(b("a"), ZERO).kind());
        KeyRange all = KeyRange.of(ByteString.EMPTY, ZERO); // etcdctl watch --prefix ""
        assertEquals(ZERO, all.key());
        assertTrue(all.contains(b("\u0000")) && all.contains(b("zzz")));
        assertTrue(KeyRange.of(b("b"), b("a")).isEmpty());
        assertTrue(KeyRange.of(b("a"), b("a")).isEmpty());
        assertFalse(KeyRange.of(b("a"), b("b")).isEmpty());
        // unsigned byte order: 0xff sorts after 'z'
        KeyRange high = KeyRange.of(b("z"), ByteString.copyFrom(new byte[]{(byte) 0xff}));
        assertTrue(high.contains(b("zz")));
        assertFalse(high.contains(ByteString.copyFrom(new byte[]{(byte) 0xff})));
    }

    @Test
    void indexMatchesKeysRangesAndFromKey() {
        WatcherIndex idx = new WatcherIndex();
        idx.add(watcher(1, "foo", ByteString.EMPTY));
        idx.add(watcher(2, "foo", ByteString.EMPTY));
        idx.add(watcher(3, "fo", b("fp"))); // prefix fo
        idx.add(watcher(4, "g", ZERO)); // >= g
        idx.add(watcher(5, "a", b("c")));
        assertEquals(List.of(1L, 2L, 3L), matching(idx, "foo"));
        assertEquals(List.of(3L), matching(idx, "fox"));
        assertEquals(List.of(4L), matching(idx, "zzz"));
        assertEquals(List.of(5L), matching(idx, "b"));
        assertEquals(List.of(), matching(idx, "c"));
        assertEquals(5, idx.size());
        Watcher w = watcher(6, "foo", ByteString.EMPTY);
        idx.add(w);
        idx.remove(w);
        assertEquals(5, idx.size());
        assertEquals(List.of(1L, 2L, 3L), matching(idx, "foo"));
    }
}
