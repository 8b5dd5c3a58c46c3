package io.vetcd.server.watch;

import com.google.protobuf.ByteString;

import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * The synced watchers by what they observe (etcd's watcherGroup): single keys in a hash map,
 * ranges and from-key watches in a map sorted by start key, so an event's key is matched against
 * only the ranges that start at or before it. Not thread-safe: used under the hub's lock.
 */
final class WatcherIndex {
    private final Map<ByteString, Set<Watcher>> byKey = new HashMap<>();
    private final TreeMap<ByteString, Set<Watcher>> rangesByStart = new TreeMap<>(KeyRange.ORDER);
    private int size;

    void add(Watcher w) {
        Map<ByteString, Set<Watcher>> m = w.range.kind() == KeyRange.Kind.SINGLE ? byKey : rangesByStart;
        if (m.computeIfAbsent(w.range.key(), k -> new LinkedHashSet<>()).add(w)) size++;
    }

    void remove(Watcher w) {
        Map<ByteString, Set<Watcher>> m = w.range.kind() == KeyRange.Kind.SINGLE ? byKey : rangesByStart;
        Set<Watcher> s = m.get(w.range.key());
        if (s != null && s.remove(w)) {
            size--;
            if (s.isEmpty()) m.remove(w.range.key());
        }
    }

    boolean isEmpty() { return size == 0; }

    int size() { return size; }

    /** Calls {@code out} with every watcher whose range contains {@code key}. */
    /** Every watcher in the index, once. */
    void forEach(Consumer<Watcher> out) {
        for (Set<Watcher> ws : byKey.values()) ws.forEach(out);
        for (Set<Watcher> ws : rangesByStart.values()) ws.forEach(out);
    }

    void forEachMatching(ByteString key, Consumer<Watcher> out) {
        byKey.getOrDefault(key, Collections.emptySet()).forEach(out);
        if (rangesByStart.isEmpty()) return;
        for (Set<Watcher> s : rangesByStart.headMap(key, true).values()) {
            for (Watcher w : s) {
                if (w.range.contains(key)) out.accept(w);
            }
        }
    }
}
