package io.vetcd.cluster;

import com.google.protobuf.ByteString;
import io.vertx.core.Vertx;
import io.vetcd.pb.etcdserver.Compare;
import io.vetcd.pb.etcdserver.PutRequest;
import io.vetcd.pb.etcdserver.RangeRequest;
import io.vetcd.pb.etcdserver.RequestOp;
import io.vetcd.pb.etcdserver.TxnRequest;
import io.vetcd.pb.etcdserver.TxnResponse;
import io.vetcd.testing.InJvmCluster;
import io.vetcd.testing.RawGrpcCall;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * etcd serves a txn of serializable ranges (or of compares only) from the member's own state, as it
 * does a serializable Range: a member cut off from its quorum still answers it, while a linearizable
 * one waits for a leader that never comes.
 */
class SerializableTxnWithoutLeaderTest {
    static ByteString bs(String s) { return ByteString.copyFromUtf8(s); }

    @Test
    void aMemberWithoutQuorumAnswersSerializableTxnsOnly() throws Exception {
        Vertx vertx = Vertx.vertx();
        try (InJvmCluster cluster = InJvmCluster.start(3, "--heartbeat-interval", "100", "--election-timeout", "1000")) {
            int survivor = 0;
            int port = cluster.members.get(survivor).clientPort;
            RawGrpcCall.call(vertx, port, "/etcdserverpb.KV/Put", PutRequest.newBuilder().setKey(bs("k")).setValue(bs("v")).build());
            // the put is applied on every member before the others go (a linearizable read on the survivor)
            RawGrpcCall.call(vertx, port, "/etcdserverpb.KV/Range", RangeRequest.newBuilder().setKey(bs("k")).build());
            cluster.members.get(1).stop();
            cluster.members.get(2).stop();

            TxnRequest serializable = TxnRequest.newBuilder()
                .addCompare(Compare.newBuilder().setKey(bs("k")).setTarget(Compare.CompareTarget.VALUE).setValue(bs("v")))
                .addSuccess(RequestOp.newBuilder().setRequestRange(RangeRequest.newBuilder().setKey(bs("k")).setSerializable(true)))
                .build();
            long t0 = System.nanoTime();
            RawGrpcCall.Answer a = RawGrpcCall.call(vertx, port, "/etcdserverpb.KV/Txn", serializable);
            assertTrue(a.trailers().contains("grpc-status: 0") || a.headers().contains("grpc-status: 0"), "answered OK: " + a);
            TxnResponse r = TxnResponse.parseFrom(a.body().getBytes(5, a.body().length()));
            assertTrue(r.getSucceeded());
            assertEquals("v", r.getResponses(0).getResponseRange().getKvs(0).getValue().toStringUtf8());
            assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0) < 3000, "answered at once, without a leader");
            RawGrpcCall.Answer compareOnly = RawGrpcCall.call(vertx, port, "/etcdserverpb.KV/Txn",
                TxnRequest.newBuilder().addCompare(serializable.getCompare(0)).build());
            assertTrue(TxnResponse.parseFrom(compareOnly.body().getBytes(5, compareOnly.body().length())).getSucceeded());

            TxnRequest linearizable = serializable.toBuilder().setSuccess(0,
                RequestOp.newBuilder().setRequestRange(RangeRequest.newBuilder().setKey(bs("k")))).build();
            RawGrpcCall.Answer refused = RawGrpcCall.call(vertx, port, "/etcdserverpb.KV/Txn", linearizable);
            String status = String.join(",", refused.headers()) + String.join(",", refused.trailers());
            assertTrue(!status.contains("grpc-status: 0"), "a linearizable txn needs a leader: " + status);
        } finally {
            vertx.close();
        }
    }
}
