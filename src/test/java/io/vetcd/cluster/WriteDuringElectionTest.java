package io.vetcd.cluster;

import com.google.protobuf.ByteString;
import io.vertx.core.Vertx;
import io.vetcd.pb.etcdserver.MemberAddRequest;
import io.vetcd.pb.etcdserver.MemberAddResponse;
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
 * A membership change waits the same way (etcd's configure proposes through the same raft node).
 */
class WriteDuringElectionTest {
    static ByteString bs(String s) { return ByteString.copyFromUtf8(s); }

    /** Stops two of three members and waits until the first one knows no leader. */
    private static io.vetcd.testing.InJvmMember leaderlessSurvivor(InJvmCluster cluster) throws InterruptedException {
        var survivor = cluster.members.get(0);
        cluster.members.get(1).stop();
        cluster.members.get(2).stop();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (survivor.node.server().core().leaderId() != 0) {
            assertTrue(System.nanoTime() < deadline, "the survivor never lost its leader");
            Thread.sleep(20);
        }
        return survivor;
    }

    private static CompletableFuture<RawGrpcCall.Answer> callAsync(Vertx vertx, int port, String method, com.google.protobuf.Message req) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return RawGrpcCall.call(vertx, port, method, req);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /** What a test checks once the held call has been answered: its answer, the survivor's client port, and the test's Vert.x. */
    private interface Then {
        void check(RawGrpcCall.Answer answer, int clientPort, Vertx vertx) throws Exception;
    }

    /**
     * Sends {@code method} to a member of a 3-member cluster that knows no leader, checks that the call
     * waits (no answer after 1 s), brings a second member back, and checks that the call then succeeds.
     */
    private static void heldUntilALeader(String method, com.google.protobuf.Message req, String what, Then then) throws Exception {
        Vertx vertx = Vertx.vertx();
        try (InJvmCluster cluster = InJvmCluster.start(3, "--heartbeat-interval", "50", "--election-timeout", "500")) {
            var survivor = leaderlessSurvivor(cluster);

            CompletableFuture<RawGrpcCall.Answer> call = callAsync(vertx, survivor.clientPort, method, req);
            Thread.sleep(1000);
            assertFalse(call.isDone(), "the " + what + " waits for a leader: " + (call.isDone() ? call.get() : ""));

            cluster.restart(1);
            RawGrpcCall.Answer a = call.get(10, TimeUnit.SECONDS);
            assertEquals("0", RequireLeaderTest.status(a), "the held " + what + " succeeds once a leader exists: " + a);
            then.check(a, survivor.clientPort, vertx);
        } finally {
            vertx.close();
        }
    }

    @Test
    void aPutWithoutLeaderWaitsForOneAndIsCommitted() throws Exception {
        heldUntilALeader("/etcdserverpb.KV/Put", PutRequest.newBuilder().setKey(bs("during")).setValue(bs("election")).build(), "put",
            (a, port, vertx) -> {
                RawGrpcCall.Answer got = RawGrpcCall.call(vertx, port, "/etcdserverpb.KV/Range",
                    RangeRequest.newBuilder().setKey(bs("during")).build());
                RangeResponse r = RangeResponse.parseFrom(got.body().getBytes(5, got.body().length()));
                assertEquals("election", r.getKvs(0).getValue().toStringUtf8());
            });
    }

    @Test
    void aMemberAddWithoutLeaderWaitsForOneAndIsApplied() throws Exception {
        heldUntilALeader("/etcdserverpb.Cluster/MemberAdd",
            MemberAddRequest.newBuilder().addPeerURLs("http://127.0.0.1:1").setIsLearner(true).build(), "member add",
            (a, port, vertx) -> {
                MemberAddResponse r = MemberAddResponse.parseFrom(a.body().getBytes(5, a.body().length()));
                assertTrue(r.getMember().getIsLearner());
                assertEquals(4, r.getMembersCount(), "three members and the learner: " + r);
            });
    }
}
