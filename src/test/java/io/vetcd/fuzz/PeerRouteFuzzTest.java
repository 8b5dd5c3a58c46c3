package io.vetcd.fuzz;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vetcd.raft.ConfState;
import io.vetcd.raft.Entry;
import io.vetcd.raft.Message;
import io.vetcd.raft.MessageType;
import io.vetcd.raft.Snapshot;
import io.vetcd.raft.SnapshotMetadata;
import io.vetcd.server.ClusterIds;
import io.vetcd.transport.EtcdRaftMessageCodec;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The peer listener of a real member fed what a broken or hostile peer might send: garbled raft
 * messages on {@code POST /raft}, garbled merged snapshots, stream dials with wrong ids, types and
 * headers, garbage for the lease and hashkv routes. Every request gets an answer (etcd's 4xx, or
 * 204/200) with no Java in it, nothing escapes onto the event loop, and the member stays intact.
 */
class PeerRouteFuzzTest extends MemberFuzzing {

    record PeerCall(HttpMethod method, String uri, Map<String, String> headers, Buffer body, boolean stream) {
        @Override
        public String toString() {
            return method + " " + uri + " " + headers + " (" + body.length() + " bytes)";
        }
    }

    @Property(tries = 300)
    void everyPeerRouteAnswersCleanly(@ForAll("peerCalls") PeerCall call) throws Exception {
        HttpExchange a = HttpExchange.send(http, member.member.peerPort, call.method, call.uri, call.headers, call.body, call.stream);
        assertFalse(a.leaksJava(), () -> call + " -> " + a);
        assertTrue(a.status() < 500 || snapshotSaveFailure(call, a), () -> call + " -> " + a);
    }

    /** etcd answers a merged snapshot whose database it cannot save with 500 (its "failed to save KV snapshot"). */
    private static boolean snapshotSaveFailure(PeerCall call, HttpExchange a) {
        return call.uri.equals("/raft/snapshot") && a.status() == 500;
    }

    @Provide
    Arbitrary<PeerCall> peerCalls() {
        return Arbitraries.randomValue(this::peerCall).withoutEdgeCases();
    }

    private PeerCall peerCall(Random r) {
        long self = member.memberId();
        String cid = ClusterIds.hex(member.member.node.server().clusterId());
        Map<String, String> h = headers(r, cid, self);
        return switch (r.nextInt(9)) {
            case 0, 1 -> new PeerCall(HttpMethod.POST, "/raft", h, Buffer.buffer(garbled(r, message(r, self))), false);
            case 2, 3 -> new PeerCall(HttpMethod.POST, "/raft/snapshot", h, snapshotBody(r, self), false);
            case 4 -> new PeerCall(HttpMethod.GET, "/raft/stream/" + pick(r, "message", "msgapp", "msgappv2", "junk", "")
                + "/" + pick(r, ClusterIds.hex(self), "1234", "zz", "", "-1", "ffffffffffffffffff"), h, Buffer.buffer(), true);
            case 5 -> new PeerCall(HttpMethod.POST, pick(r, "/leases", "/leases/internal"), h, Buffer.buffer(bytes(r)), false);
            case 6 -> new PeerCall(HttpMethod.GET, "/members/hashkv", h, Buffer.buffer(pick(r, "", "{", "{\"revision\":-1}",
                "{\"revision\":99999999}", "{\"revision\":\"x\"}", "null", "[]", "{\"revision\":1e400}", new String(bytes(r)))), false);
            case 7 -> new PeerCall(HttpMethod.POST, "/members/promote/" + pick(r, "1", "-1", "x", "18446744073709551616",
                Long.toUnsignedString(self)), h, Buffer.buffer(bytes(r)), false);
            default -> new PeerCall(pick(r, HttpMethod.GET, HttpMethod.POST, HttpMethod.PUT, HttpMethod.DELETE),
                pick(r, "/members", "/version", "/raft/probing", "/raft", "/raft/stream", "/nope", "/raft/snapshot/x"), h,
                Buffer.buffer(bytes(r)), false);
        };
    }

    /** Usually etcd's headers, right; sometimes a wrong or garbled one. */
    private static Map<String, String> headers(Random r, String cid, long self) {
        Map<String, String> h = new HashMap<>();
        h.put("X-Etcd-Cluster-ID", r.nextInt(8) == 0 ? pick(r, "deadbeef", "", "zz", "-1") : cid);
        h.put("X-Server-Version", r.nextInt(8) == 0 ? pick(r, "", "3.4", "abc", "99.0.0", "2.3.0", "3.4.23-x") : "3.4.23");
        h.put("X-Min-Cluster-Version", "3.0.0");
        h.put("X-Server-From", r.nextInt(3) == 0 ? pick(r, "1234", "zz", "") : ClusterIds.hex(self));
        h.put("X-Raft-To", r.nextInt(6) == 0 ? pick(r, "1234", "zz", "") : ClusterIds.hex(self));
        if (r.nextInt(10) == 0) h.put("X-PeerURLs", pick(r, "http://127.0.0.1:1", "::", ""));
        return h;
    }

    /** A valid raft message of a random type, as etcd encodes it. */
    private static byte[] message(Random r, long self) {
        MessageType[] types = MessageType.values();
        Message.Builder b = Message.of(types[r.nextInt(types.length)]).from(r.nextBoolean() ? self : 0x1234).to(self)
            .term(r.nextInt(4) == 0 ? Long.MAX_VALUE : r.nextInt(5)).index(r.nextInt(4) == 0 ? -1 : r.nextInt(100))
            .logTerm(r.nextInt(3)).commit(r.nextInt(4) == 0 ? Long.MAX_VALUE : r.nextInt(10));
        if (r.nextBoolean()) {
            b.entries(List.of(new Entry(r.nextInt(3), r.nextInt(100), io.vetcd.raft.EntryType.NORMAL, bytes(r))));
        }
        return EtcdRaftMessageCodec.encode(b.build());
    }

    private static Buffer snapshotBody(Random r, long self) {
        byte[] snap = EtcdRaftMessageCodec.encode(Message.of(MessageType.MsgSnap).from(r.nextBoolean() ? self : 0x1234).to(self)
            .term(r.nextInt(3)).snapshot(new Snapshot(new SnapshotMetadata(r.nextInt(10), r.nextInt(3), ConfState.ofVoters(self)), null))
            .build());
        byte[] head = r.nextInt(3) == 0 ? garbled(r, snap) : snap;
        long declared = r.nextInt(6) == 0 ? pick(r, -1L, Long.MAX_VALUE, (long) head.length + 5, 0L) : head.length;
        return Buffer.buffer().appendLong(declared).appendBytes(head).appendBytes(bytes(r));
    }

    static byte[] garbled(Random r, byte[] valid) {
        return switch (r.nextInt(5)) {
            case 0 -> valid;
            case 1 -> java.util.Arrays.copyOf(valid, r.nextInt(valid.length + 1));
            case 2 -> bytes(r);
            default -> {
                byte[] b = valid.length == 0 ? new byte[1] : valid.clone();
                for (int i = 0, n = 1 + r.nextInt(4); i < n; i++) b[r.nextInt(b.length)] ^= (byte) (1 << r.nextInt(8));
                yield b;
            }
        };
    }

    static byte[] bytes(Random r) {
        byte[] b = new byte[r.nextInt(10) == 0 ? r.nextInt(70_000) : r.nextInt(40)];
        r.nextBytes(b);
        return b;
    }

    @SafeVarargs
    static <T> T pick(Random r, T... options) {
        return options[r.nextInt(options.length)];
    }
}
