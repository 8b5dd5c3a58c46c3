package io.vetcd.mvcc;

import com.google.protobuf.ByteString;
import io.vetcd.pb.etcdserver.RangeRequest;
import io.vetcd.pb.mvcc.KeyValue;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/** Small helpers shared by the store tests. */
final class StoreTestSupport {

    private StoreTestSupport() {
    }

    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static ByteString bs(String s) {
        return ByteString.copyFromUtf8(s);
    }

    /**
     * Makes {@code s} look like a store written before one of its indexes existed: every entry of
     * the index's column family gone, and the marker that says it was built too.
     */
    static void forgetIndex(MvccStore s, org.rocksdb.ColumnFamilyHandle index, byte[] builtMarker)
            throws org.rocksdb.RocksDBException {
        try (var it = s.db.newIterator(index)) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                s.db.delete(index, it.key());
            }
        }
        s.db.delete(s.defaultCf, builtMarker);
    }

    static MvccStore open(Path dir) {
        return MvccStore.open(dir, MvccOptions.defaults().withCompactionBatchKeys(7).withCompactionPauseMillis(0));
    }

    static long put(MvccStore s, String k, String v) {
        WriteTxn t = s.beginWrite();
        t.put(b(k), b(v), 0);
        return t.commit(s.consistentIndex() + 1);
    }

    static long delete(MvccStore s, String k, String end) {
        WriteTxn t = s.beginWrite();
        t.deleteRange(b(k), end == null ? null : b(end));
        return t.commit(s.consistentIndex() + 1);
    }

    static RangeRequest.Builder req(String key, String end) {
        RangeRequest.Builder r = RangeRequest.newBuilder().setKey(bs(key));
        if (end != null) {
            r.setRangeEnd(bs(end));
        }
        return r;
    }

    static List<String> keys(RangeResult r) {
        return r.kvs().stream().map(kv -> kv.getKey().toStringUtf8()).collect(Collectors.toList());
    }

    static KeyValue get(MvccStore s, String k, long rev) {
        RangeResult r = s.range(req(k, null).setRevision(rev).build());
        return r.kvs().isEmpty() ? null : r.kvs().get(0);
    }
}
