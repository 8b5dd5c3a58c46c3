package io.vetcd.mvcc;

import com.google.protobuf.ByteString;
import io.vetcd.pb.etcdserver.RangeRequest;
import io.vetcd.pb.mvcc.Event;
import io.vetcd.pb.mvcc.KeyValue;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Naive in-memory model of etcd 3.4's MVCC semantics, written independently of the store's
 * implementation (full history per key, linear scans) to cross-check it with random operations.
 */
final class ReferenceModel {

    /** One version; kv == null means tombstone. */
    record Ver(long main, long sub, KeyValue kv) {
    }

    final TreeMap<byte[], List<Ver>> history = new TreeMap<>(Arrays::compareUnsigned);
    long rev = 1;
    long compactRev = 0;
    private int pendingSub = 0;
    private final List<Event> pendingEvents = new ArrayList<>();

    /** Newest live version of key at revision r (pending changes included when r = rev + 1). */
    KeyValue get(byte[] key, long r) {
        List<Ver> vs = history.get(key);
        if (vs == null) {
            return null;
        }
        for (int i = vs.size() - 1; i >= 0; i--) {
            if (vs.get(i).main <= r) {
                return vs.get(i).kv;
            }
        }
        return null;
    }

    List<KeyValue> rangeLive(byte[] key, byte[] end, long r) {
        List<KeyValue> out = new ArrayList<>();
        for (Map.Entry<byte[], List<Ver>> e : history.entrySet()) {
            byte[] k = e.getKey();
            boolean in;
            if (end == null || end.length == 0) {
                in = Arrays.equals(k, key);
            } else if (end.length == 1 && end[0] == 0) {
                in = Arrays.compareUnsigned(k, key) >= 0;
            } else {
                in = Arrays.compareUnsigned(k, key) >= 0 && Arrays.compareUnsigned(k, end) < 0;
            }
            if (in) {
                KeyValue kv = get(k, r);
                if (kv != null) {
                    out.add(kv);
                }
            }
        }
        return out;
    }

    long readRev() {
        return pendingSub > 0 ? rev + 1 : rev;
    }

    /** etcd apply.go Range, literally: fetch (limit+1 unless sorted/filtered), filter, sort, truncate. */
    RangeResult range(RangeRequest r) {
        long cur = readRev();
        if (r.getRevision() > cur) {
            throw new FutureRevisionException();
        }
        long at = r.getRevision() <= 0 ? cur : r.getRevision();
        if (at < compactRev) {
            throw new CompactedException();
        }
        List<KeyValue> all = rangeLive(r.getKey().toByteArray(), r.getRangeEnd().toByteArray(), at);
        long limit = r.getLimit();
        if (r.getSortOrder() != RangeRequest.SortOrder.NONE || r.getMinModRevision() != 0 || r.getMaxModRevision() != 0
                || r.getMinCreateRevision() != 0 || r.getMaxCreateRevision() != 0) {
            limit = 0;
        }
        if (limit > 0) {
            limit++;
        }
        long count = all.size();
        List<KeyValue> kvs = new ArrayList<>();
        if (!r.getCountOnly()) {
            for (KeyValue kv : all) {
                if (limit > 0 && kvs.size() >= limit) {
                    break;
                }
                kvs.add(kv);
            }
        }
        if (r.getMaxModRevision() != 0) {
            kvs.removeIf(kv -> kv.getModRevision() > r.getMaxModRevision());
        }
        if (r.getMinModRevision() != 0) {
            kvs.removeIf(kv -> kv.getModRevision() < r.getMinModRevision());
        }
        if (r.getMaxCreateRevision() != 0) {
            kvs.removeIf(kv -> kv.getCreateRevision() > r.getMaxCreateRevision());
        }
        if (r.getMinCreateRevision() != 0) {
            kvs.removeIf(kv -> kv.getCreateRevision() < r.getMinCreateRevision());
        }
        RangeRequest.SortOrder order = r.getSortOrder();
        if (r.getSortTarget() != RangeRequest.SortTarget.KEY && order == RangeRequest.SortOrder.NONE) {
            order = RangeRequest.SortOrder.ASCEND;
        }
        if (order != RangeRequest.SortOrder.NONE) {
            Comparator<ByteString> u = ByteString.unsignedLexicographicalComparator();
            Comparator<KeyValue> c = switch (r.getSortTarget()) {
                case VERSION -> Comparator.comparingLong(KeyValue::getVersion);
                case CREATE -> Comparator.comparingLong(KeyValue::getCreateRevision);
                case MOD -> Comparator.comparingLong(KeyValue::getModRevision);
                case VALUE -> (a, b) -> u.compare(a.getValue(), b.getValue());
                default -> (a, b) -> u.compare(a.getKey(), b.getKey());
            };
            kvs.sort(order == RangeRequest.SortOrder.DESCEND ? c.reversed() : c);
        }
        boolean more = false;
        if (r.getLimit() > 0 && kvs.size() > r.getLimit()) {
            kvs = new ArrayList<>(kvs.subList(0, (int) r.getLimit()));
            more = true;
        }
        if (r.getKeysOnly()) {
            kvs.replaceAll(kv -> kv.toBuilder().clearValue().build());
        }
        return new RangeResult(kvs, count, more, cur, at);
    }

    KeyValue put(byte[] key, byte[] value, long lease) {
        long w = rev + 1;
        KeyValue prev = get(key, w);
        KeyValue kv = KeyValue.newBuilder().setKey(ByteString.copyFrom(key))
                .setCreateRevision(prev == null ? w : prev.getCreateRevision()).setModRevision(w)
                .setVersion(prev == null ? 1 : prev.getVersion() + 1).setValue(ByteString.copyFrom(value))
                .setLease(lease).build();
        Event.Builder ev = Event.newBuilder().setType(Event.EventType.PUT).setKv(kv);
        KeyValue before = get(key, rev);
        if (before != null) {
            ev.setPrevKv(before);
        }
        pendingEvents.add(ev.build());
        history.computeIfAbsent(key.clone(), k -> new ArrayList<>()).add(new Ver(w, pendingSub++, kv));
        return prev;
    }

    List<KeyValue> deleteRange(byte[] key, byte[] end) {
        long w = rev + 1;
        List<KeyValue> live = rangeLive(key, end, w);
        for (KeyValue kv : live) {
            byte[] k = kv.getKey().toByteArray();
            Event.Builder ev = Event.newBuilder().setType(Event.EventType.DELETE)
                    .setKv(KeyValue.newBuilder().setKey(kv.getKey()).setModRevision(w));
            KeyValue before = get(k, rev);
            if (before != null) {
                ev.setPrevKv(before);
            }
            pendingEvents.add(ev.build());
            history.get(k).add(new Ver(w, pendingSub++, null));
        }
        return live;
    }

    /** Drops the pending changes. */
    void abort() {
        for (List<Ver> vs : history.values()) {
            vs.removeIf(v -> v.main == rev + 1);
        }
        history.values().removeIf(List::isEmpty);
        pendingSub = 0;
        pendingEvents.clear();
    }

    /** Returns the committed revision and the events of this txn. */
    List<Event> commit() {
        if (pendingSub > 0) {
            rev++;
        }
        pendingSub = 0;
        List<Event> evs = new ArrayList<>(pendingEvents);
        pendingEvents.clear();
        return evs;
    }

    /** Events of revision r as etcd's watch would deliver them from history. */
    List<Event> eventsAt(long r) {
        List<Ver[]> found = new ArrayList<>();
        List<Event> out = new ArrayList<>();
        TreeMap<Long, Event> bySub = new TreeMap<>();
        for (Map.Entry<byte[], List<Ver>> e : history.entrySet()) {
            List<Ver> vs = e.getValue();
            for (int i = 0; i < vs.size(); i++) {
                Ver v = vs.get(i);
                if (v.main == r && r == compactRev && (v.kv == null || (i + 1 < vs.size() && vs.get(i + 1).main <= r))) {
                    continue; // compaction at r drops tombstones and superseded versions at r
                }
                if (v.main == r) {
                    Event.Builder ev = Event.newBuilder();
                    if (v.kv == null) {
                        ev.setType(Event.EventType.DELETE).setKv(KeyValue.newBuilder()
                                .setKey(ByteString.copyFrom(e.getKey())).setModRevision(r));
                    } else {
                        ev.setType(Event.EventType.PUT).setKv(v.kv);
                    }
                    KeyValue prev = r > compactRev ? get(e.getKey(), r - 1) : null;
                    if (prev != null) {
                        ev.setPrevKv(prev);
                    }
                    bySub.put(v.sub, ev.build());
                }
            }
        }
        out.addAll(bySub.values());
        return out;
    }
}
