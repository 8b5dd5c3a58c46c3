package io.vetcd.server.watch;

import com.google.protobuf.ByteString;

import java.util.Comparator;

/**
 * The keys one watcher observes, normalised as etcd's watch server does: an empty key means
 * {@code \0} (the smallest key), an absent range end means the single key, a range end of
 * {@code \0} means every key {@code >= key}, anything else is {@code [key, end)}.
 */
public record KeyRange(ByteString key, ByteString end, Kind kind) {
    public enum Kind { SINGLE, RANGE, FROM_KEY }

    static final Comparator<ByteString> ORDER = ByteString.unsignedLexicographicalComparator();

    public static KeyRange of(ByteString key, ByteString rangeEnd) {
        ByteString k = key.isEmpty() ? ByteString.copyFrom(new byte[]{0}) : key;
        if (rangeEnd.isEmpty()) return new KeyRange(k, ByteString.EMPTY, Kind.SINGLE);
        if (rangeEnd.size() == 1 && rangeEnd.byteAt(0) == 0) return new KeyRange(k, ByteString.EMPTY, Kind.FROM_KEY);
        return new KeyRange(k, rangeEnd, Kind.RANGE);
    }

    /** etcd refuses {@code key >= end} for a real range ("mvcc: watcher range is empty"). */
    public boolean isEmpty() {
        return kind == Kind.RANGE && ORDER.compare(key, end) >= 0;
    }

    public boolean contains(ByteString k) {
        return switch (kind) {
            case SINGLE -> key.equals(k);
            case FROM_KEY -> ORDER.compare(k, key) >= 0;
            case RANGE -> ORDER.compare(k, key) >= 0 && ORDER.compare(k, end) < 0;
        };
    }
}
