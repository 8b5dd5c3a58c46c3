package io.vetcd.cluster;

import com.google.protobuf.ByteString;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vetcd.pb.etcdserver.RangeRequest;
import io.vetcd.pb.etcdserver.WatchCreateRequest;
import io.vetcd.testing.InJvmCluster;
import io.vetcd.testing.RawGrpcCall;
import io.vetcd.testing.RawWatchStream;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * clientv3's WithRequireLeader (etcdctl watch and clientv3's lease keep-alives use it) sends
 * "hasleader: true": etcd then refuses a call at once when its member knows no leader, and ends a
 * stream opened so after three election timeouts without one, so the client can go to a member
 * that has a leader. Calls without it are not touched.
 */
class RequireLeaderTest {
    static final Map<String, String> REQUIRE_LEADER = Map.of("hasleader", "true");

    static ByteString bs(String s) { return ByteString.copyFromUtf8(s); }

    /** "code message" of a raw call: grpc-status and grpc-message, from the headers (trailers-only) or the trailers. */
    static String status(RawGrpcCall.Answer a) {
        String s = null;
        String m = "";
        for (java.util.List<String> block : java.util.List.of(a.headers(), a.trailers())) {
            for (String line : block) {
                if (line.startsWith("grpc-status: ")) s = line.substring(13);
                if (line.startsWith("grpc-message: ")) m = line.substring(14);
            }
        }
        return s + (m.isEmpty() ? "" : " " + m);
    }

    static RawGrpcCall.Answer range(Vertx vertx, int port, boolean serializable, Map<String, String> metadata) throws Exception {
        byte[] msg = RangeRequest.newBuilder().setKey(bs("k")).setSerializable(serializable).build().toByteArray();
        return RawGrpcCall.call(vertx, port, "/etcdserverpb.KV/Range",
            Buffer.buffer().appendByte((byte) 0).appendInt(msg.length).appendBytes(msg), metadata);
    }

    @Test
    void aMemberWithoutLeaderRefusesAndEndsRequireLeaderCalls() throws Exception {
        Vertx vertx = Vertx.vertx();
        try (InJvmCluster cluster = InJvmCluster.start(3, "--heartbeat-interval", "50", "--election-timeout", "500")) {
            int port = cluster.members.get(0).clientPort;
            assertEquals("0", status(range(vertx, port, false, REQUIRE_LEADER)), "a member with a leader answers");
            try (RawWatchStream required = RawWatchStream.open(vertx, port, REQUIRE_LEADER);
                 RawWatchStream plain = RawWatchStream.open(vertx, port)) {
                required.create(WatchCreateRequest.newBuilder().setKey(bs("k")));
                plain.create(WatchCreateRequest.newBuilder().setKey(bs("k")));
                assertTrue(required.next().getCreated());
                assertTrue(plain.next().getCreated());

                cluster.members.get(1).stop();
                cluster.members.get(2).stop();
                long lost = System.nanoTime();

                String ended = required.ended().toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
                assertEquals("14 etcdserver: no leader", ended);
                long afterMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lost);
                // three election-timeout ticks without a leader, not the first moment without one
                assertTrue(afterMs >= 1000, "ended after " + afterMs + " ms");
                assertFalse(plain.ended().isComplete(), "a watch that did not ask for a leader stays open");

                assertEquals("14 etcdserver: no leader", status(range(vertx, port, true, REQUIRE_LEADER)));
                assertEquals("0", status(range(vertx, port, true, Map.of())), "without hasleader a serializable read is answered");
                // a new require-leader stream is refused at once
                try (RawWatchStream late = RawWatchStream.open(vertx, port, REQUIRE_LEADER)) {
                    late.create(WatchCreateRequest.newBuilder().setKey(bs("k")));
                    assertEquals("14 etcdserver: no leader",
                        late.ended().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS));
                }
            }
        } finally {
            vertx.close();
        }
    }
}
