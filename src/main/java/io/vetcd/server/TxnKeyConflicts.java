package io.vetcd.server;

import com.google.protobuf.ByteString;
import io.vetcd.pb.etcdserver.RequestOp;
import io.vetcd.pb.etcdserver.TxnRequest;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * etcd's rule that one branch of a transaction may not write a key twice: a put
 * may not repeat another put, nor fall in a range the same branch deletes
 * (nested transactions included; the then/else branches of a nested txn are
 * exclusive, so they may write the same key).
 */
final class TxnKeyConflicts {
    private TxnKeyConflicts() {}

    static void check(TxnRequest r) {
        collect(r.getSuccessList());
        collect(r.getFailureList());
    }

    /** A deleted interval [start, end); a point when end is null. */
    private record Interval(ByteString start, ByteString end) {
        boolean contains(ByteString key) {
            if (end == null) return start.equals(key);
            return ByteString.unsignedLexicographicalComparator().compare(key, start) >= 0
                && (end.isEmpty() || ByteString.unsignedLexicographicalComparator().compare(key, end) < 0);
        }
    }

    private record Writes(Set<ByteString> puts, List<Interval> deletes) {
        boolean deletes(ByteString key) {
            for (Interval iv : deletes) if (iv.contains(key)) return true;
            return false;
        }
    }

    private static Writes collect(List<RequestOp> ops) {
        List<Interval> dels = new ArrayList<>();
        for (RequestOp op : ops) {
            if (op.getRequestCase() != RequestOp.RequestCase.REQUEST_DELETE_RANGE) continue;
            var d = op.getRequestDeleteRange();
            dels.add(new Interval(d.getKey(), d.getRangeEnd().isEmpty() ? null : d.getRangeEnd()));
        }
        Writes w = new Writes(new HashSet<>(), dels);
        List<Interval> childDels = new ArrayList<>();
        for (RequestOp op : ops) {
            if (op.getRequestCase() != RequestOp.RequestCase.REQUEST_TXN) continue;
            Writes then = collect(op.getRequestTxn().getSuccessList());
            Writes otherwise = collect(op.getRequestTxn().getFailureList());
            for (ByteString k : then.puts) {
                if (w.puts.contains(k) || w.deletes(k)) throw EtcdError.DUPLICATE_KEY.exception();
                w.puts.add(k);
            }
            for (ByteString k : otherwise.puts) {
                if (w.puts.contains(k) && !then.puts.contains(k)) throw EtcdError.DUPLICATE_KEY.exception();
                if (w.deletes(k)) throw EtcdError.DUPLICATE_KEY.exception();
                w.puts.add(k);
            }
            childDels.addAll(then.deletes);
            childDels.addAll(otherwise.deletes);
        }
        dels.addAll(childDels);
        for (RequestOp op : ops) {
            if (op.getRequestCase() != RequestOp.RequestCase.REQUEST_PUT) continue;
            ByteString k = op.getRequestPut().getKey();
            if (w.puts.contains(k) || w.deletes(k)) throw EtcdError.DUPLICATE_KEY.exception();
            w.puts.add(k);
        }
        return w;
    }
}
