package io.vetcd.api;

import com.google.protobuf.ByteString;
import com.google.protobuf.MessageLite;
import io.vetcd.pb.etcdserver.CompactionRequest;
import io.vetcd.pb.etcdserver.Compare;
import io.vetcd.pb.etcdserver.PutRequest;
import io.vetcd.pb.etcdserver.RangeRequest;
import io.vetcd.pb.etcdserver.RequestOp;
import io.vetcd.pb.etcdserver.ResponseHeader;
import io.vetcd.pb.etcdserver.ResponseOp;
import io.vetcd.pb.etcdserver.StatusRequest;
import io.vetcd.pb.etcdserver.StatusResponse;
import io.vetcd.pb.etcdserver.TxnRequest;
import io.vetcd.pb.etcdserver.TxnResponse;
import io.vetcd.testing.RawCallsAgainstRealEtcd;
import io.vetcd.testing.RawGrpcCall;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A txn of ranges only is a read in etcd 3.4 (isTxnReadonly): it adds no raft entry, and its answer
 * (branch taken, every range's keys, counts and revisions, errors) is what a real etcd gives for
 * the same history, compared message by message with the ids that differ by construction masked.
 */
class ReadOnlyTxnWireTest extends RawCallsAgainstRealEtcd {

    static ByteString bs(String s) { return ByteString.copyFromUtf8(s); }

    static RequestOp get(RangeRequest.Builder r) { return RequestOp.newBuilder().setRequestRange(r).build(); }

    static RangeRequest.Builder range(String key) { return RangeRequest.newBuilder().setKey(bs(key)); }

    static Compare cmp(String key, Compare.CompareTarget target, Compare.CompareResult result, long n) {
        Compare.Builder c = Compare.newBuilder().setKey(bs(key)).setTarget(target).setResult(result);
        switch (target) {
            case VERSION -> c.setVersion(n);
            case MOD -> c.setModRevision(n);
            case CREATE -> c.setCreateRevision(n);
            default -> throw new IllegalArgumentException();
        }
        return c.build();
    }

    static Compare valueIs(String key, String v) {
        return Compare.newBuilder().setKey(bs(key)).setTarget(Compare.CompareTarget.VALUE)
            .setResult(Compare.CompareResult.EQUAL).setValue(bs(v)).build();
    }

    /** Both servers' answer to one call: the message with ids masked, or the failure's trailers. */
    static String answer(int port, String path, MessageLite req) throws Exception {
        RawGrpcCall.Answer a = RawGrpcCall.call(vertx, port, path, req);
        // Go also sends an empty grpc-message on success; vetcd does not (README, "Errors on the wire")
        String status = String.join(",", a.trailers().stream().filter(h -> !h.equals("grpc-message: ")).toList())
            + String.join(",", a.headers().stream().filter(h -> h.startsWith("grpc-")).toList());
        if (a.body().length() < 5) return "no message; " + status;
        byte[] msg = a.body().getBytes(5, a.body().length());
        if (path.endsWith("/Txn")) return masked(TxnResponse.parseFrom(msg)).toString() + status;
        return status;
    }

    static TxnResponse masked(TxnResponse r) {
        TxnResponse.Builder b = r.toBuilder().setHeader(mask(r.getHeader()));
        for (ResponseOp.Builder op : b.getResponsesBuilderList()) {
            if (op.hasResponseRange()) op.getResponseRangeBuilder().setHeader(mask(op.getResponseRange().getHeader()));
            if (op.hasResponseTxn()) op.setResponseTxn(masked(op.getResponseTxn()));
        }
        return b.build();
    }

    static ResponseHeader mask(ResponseHeader h) {
        return h.toBuilder().setClusterId(h.getClusterId() == 0 ? 0 : 1).setMemberId(h.getMemberId() == 0 ? 0 : 1)
            .setRaftTerm(h.getRaftTerm() == 0 ? 0 : 1).build();
    }

    static long raftIndex(int port) throws Exception {
        RawGrpcCall.Answer a = RawGrpcCall.call(vertx, port, "/etcdserverpb.Maintenance/Status", StatusRequest.getDefaultInstance());
        return StatusResponse.parseFrom(a.body().getBytes(5, a.body().length())).getRaftIndex();
    }

    static void both(String path, MessageLite req) throws Exception {
        RawGrpcCall.call(vertx, etcd.clientPort, path, req);
        RawGrpcCall.call(vertx, vetcd.clientPort, path, req);
    }

    @Test
    void answeredAsEtcdAnswersThemWithoutARaftEntry() throws Exception {
        // the same history on both: revisions 2..7, compacted at 3
        for (String[] kv : new String[][]{{"a", "1"}, {"b", "2"}, {"c", "3"}, {"a", "11"}, {"d/1", "x"}, {"d/2", "y"}}) {
            both("/etcdserverpb.KV/Put", PutRequest.newBuilder().setKey(bs(kv[0])).setValue(bs(kv[1])).build());
        }
        both("/etcdserverpb.KV/Compact", CompactionRequest.newBuilder().setRevision(3).build());

        List<TxnRequest> txns = new ArrayList<>();
        txns.add(TxnRequest.newBuilder().addCompare(valueIs("a", "11")).addSuccess(get(range("a"))).addFailure(get(range("b"))).build());
        txns.add(TxnRequest.newBuilder().addCompare(valueIs("a", "1")).addSuccess(get(range("a"))).addFailure(get(range("b"))).build());
        txns.add(TxnRequest.newBuilder().addCompare(cmp("a", Compare.CompareTarget.VERSION, Compare.CompareResult.EQUAL, 2))
            .addCompare(cmp("nope", Compare.CompareTarget.CREATE, Compare.CompareResult.EQUAL, 0))
            .addSuccess(get(range("d/").setRangeEnd(bs("d0")))).addSuccess(get(range("d/").setRangeEnd(bs("d0")).setCountOnly(true)))
            .addSuccess(get(range("a").setRangeEnd(bs("z")).setLimit(2).setKeysOnly(true))).build());
        txns.add(TxnRequest.newBuilder().addCompare(cmp("c", Compare.CompareTarget.MOD, Compare.CompareResult.LESS, 4))
            .addSuccess(get(range("a").setRevision(4))).addSuccess(get(range("a").setRevision(5).setSerializable(true))).build());
        // nested, on both branches
        TxnRequest inner = TxnRequest.newBuilder().addCompare(valueIs("b", "2")).addSuccess(get(range("b"))).addFailure(get(range("c"))).build();
        txns.add(TxnRequest.newBuilder().addCompare(valueIs("a", "x")).addFailure(RequestOp.newBuilder().setRequestTxn(inner))
            .addFailure(get(range("d/1"))).build());
        // serializable ranges only, and compares only (served from local state in etcd)
        txns.add(TxnRequest.newBuilder().addSuccess(get(range("a").setSerializable(true))).build());
        txns.add(TxnRequest.newBuilder().addCompare(valueIs("a", "11")).build());
        txns.add(TxnRequest.getDefaultInstance());
        // errors: a future revision, a compacted one, each on the branch taken
        txns.add(TxnRequest.newBuilder().addSuccess(get(range("a"))).addSuccess(get(range("a").setRevision(100))).build());
        txns.add(TxnRequest.newBuilder().addCompare(valueIs("a", "no")).addFailure(get(range("a").setRevision(2))).build());
        txns.add(TxnRequest.newBuilder().addCompare(valueIs("a", "no")).addSuccess(get(range("a").setRevision(2)))
            .addFailure(get(range("a").setRevision(3))).build());

        // a nested txn makes a txn a write in etcd 3.4, ranges only or not; its header stays empty
        TxnRequest nestedPut = TxnRequest.newBuilder().addSuccess(RequestOp.newBuilder().setRequestTxn(TxnRequest.newBuilder()
            .addSuccess(RequestOp.newBuilder().setRequestPut(PutRequest.newBuilder().setKey(bs("e")).setValue(bs("5")))))).build();
        txns.add(nestedPut);
        txns.add(TxnRequest.newBuilder().addSuccess(get(range("e"))).build());

        int entries = 0;
        for (TxnRequest t : txns) {
            long etcdIndex = raftIndex(etcd.clientPort);
            long vetcdIndex = raftIndex(vetcd.clientPort);
            String fromEtcd = answer(etcd.clientPort, "/etcdserverpb.KV/Txn", t);
            String fromVetcd = answer(vetcd.clientPort, "/etcdserverpb.KV/Txn", t);
            assertEquals(fromEtcd, fromVetcd, "txn " + t);
            long etcdEntries = raftIndex(etcd.clientPort) - etcdIndex;
            assertEquals(etcdEntries, raftIndex(vetcd.clientPort) - vetcdIndex, "raft entries of txn " + t);
            entries += (int) etcdEntries;
        }
        assertEquals(2, entries, "only the two txns with a nested txn were raft entries");
        assertTrue(answer(etcd.clientPort, "/etcdserverpb.KV/Txn", txns.get(0)).contains("value: \"11\""), "the test reads what it wrote");
    }
}
