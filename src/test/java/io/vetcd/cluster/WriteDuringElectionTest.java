package io.vetcd.cluster;

import com.google.protobuf.ByteString;
import io.vertx.core.Vertx;
import io.vetcd.pb.etcdserver.PutRequest;
import io.vetcd.pb.etcdserver.RangeRequest;
import io.vetcd.pb.etcdserver.RangeResponse;
import io.vetcd.testing.InJvmCluster;
import io.vetcd.testing.RawGrpcCall;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A write sent to a member that knows no leader (an election, a lost quorum) waits for one, as in
 * etcd, whose raft node holds a proposal until a leader exists or the request times out: it is not
 * refused at once with "no leader". Once a quorum is back, the write is committed and answered.
 */
class WriteDuringElectionTest {
    static ByteString bs(String s) { return ByteString.copyFromUtf8(s); }

    @Test
    void aPutWithoutLeaderWaitsForOneAndIsCommitted() throws Exception {
        Vertx vertx = Vertx.vertx();
        try (InJvmCluster cluster = InJvmCluster.start(3, "--heartbeat-interval", "50", "--election-timeout", "500")) {
            var survivor = cluster.members.get(0);
            cluster.members.get(1).stop();
            cluster.members.get(2).stop();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (survivor.node.server().core().leaderId() != 0) {
                assertTrue(System.nanoTime() < deadline, "the survivor never lost its leader");
                Thread.sleep(20);
            }

            CompletableFuture<RawGrpcCall.Answer> put = CompletableFuture.supplyAsync(() -> {
                try {
                    return RawGrpcCall.call(vertx, survivor.clientPort, "/etcdserverpb.KV/Put",
                        PutRequest.newBuilder().setKey(bs("during")).setValue(bs("election")).build());
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            Thread.sleep(1000);
            assertFalse(put.isDone(), "the put waits for a leader: " + (put.isDone() ? put.get() : ""));

            cluster.restart(1);
            RawGrpcCall.Answer a = put.get(10, TimeUnit.SECONDS);
            assertEquals("0", RequireLeaderTest.status(a), "the held put is committed once a leader exists: " + a);

            RawGrpcCall.Answer got = RawGrpcCall.call(vertx, survivor.clientPort, "/etcdserverpb.KV/Range",
                RangeRequest.newBuilder().setKey(bs("during")).build());
            RangeResponse r = RangeResponse.parseFrom(got.body().getBytes(5, got.body().length()));
            assertEquals("election", r.getKvs(0).getValue().toStringUtf8());
        } finally {
            vertx.close();
        }
    }
}
