package io.vetcd.mvcc;

import io.vetcd.pb.mvcc.KeyValue;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;
import java.util.NavigableMap;

/**
 * Merges a write transaction's own uncommitted writes (newest state per key; {@code null} value =
 * deleted in this txn) over a {@link StoreCursor} of the committed state, so that operations later
 * in a txn see earlier ones, as etcd's sequential txn ops do.
 */
final class OverlayCursor implements KeyCursor {

    private final KeyCursor base;
    private final Iterator<Map.Entry<byte[], KeyValue>> over;
    private byte[] baseKey;
    private Map.Entry<byte[], KeyValue> overEntry;
    private boolean started;
    private byte[] curKey;
    private KeyValue curOverlay; // null when the current entry comes from base

    OverlayCursor(KeyCursor base, NavigableMap<byte[], KeyValue> overlayRange) {
        this.base = base;
        this.over = overlayRange.entrySet().iterator();
    }

    @Override
    public boolean advance() {
        if (!started) {
            started = true;
            baseKey = base.advance() ? base.userKey() : null;
            overEntry = over.hasNext() ? over.next() : null;
        } else if (curOverlay == null) {
            baseKey = base.advance() ? base.userKey() : null;
        }
        while (true) {
            if (baseKey == null && overEntry == null) {
                curKey = null;
                return false;
            }
            int c = baseKey == null ? 1 : overEntry == null ? -1 : Arrays.compareUnsigned(baseKey, overEntry.getKey());
            if (c < 0) {
                curKey = baseKey;
                curOverlay = null;
                return true;
            }
            Map.Entry<byte[], KeyValue> e = overEntry;
            overEntry = over.hasNext() ? over.next() : null;
            if (c == 0) {
                baseKey = base.advance() ? base.userKey() : null;
            }
            if (e.getValue() != null) {
                curKey = e.getKey();
                curOverlay = e.getValue();
                return true;
            }
        }
    }

    @Override
    public byte[] userKey() {
        return curKey;
    }

    @Override
    public KeyValue kv(boolean keysOnly) {
        if (curOverlay != null) {
            return keysOnly ? curOverlay.toBuilder().clearValue().build() : curOverlay;
        }
        return base.kv(keysOnly);
    }
}
