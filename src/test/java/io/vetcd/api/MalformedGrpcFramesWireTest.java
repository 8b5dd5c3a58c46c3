package io.vetcd.api;

import com.google.protobuf.ByteString;
import io.vertx.core.buffer.Buffer;
import io.vetcd.pb.etcdserver.RangeRequest;
import io.vetcd.testing.RawCallsAgainstRealEtcd;
import io.vetcd.testing.RawGrpcCall;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Malformed gRPC requests (undecodable protobufs, frames cut short, wrong compressed flags and
 * encodings, extra or missing messages, oversize messages, unknown methods) sent as raw bytes to a
 * real etcd 3.4 and to a vetcd member: each gets the same grpc-status and grpc-message from both
 * (grpc-go's server semantics, {@link GoGrpcCall}), and vetcd lets no exception escape onto its
 * event loops. Go's protobuf texts name the field's wire type and message type, which protobuf-java
 * does not report: for undecodable messages the text is compared up to "proto:".
 */
class MalformedGrpcFramesWireTest extends RawCallsAgainstRealEtcd {
    private static final String RANGE = "/etcdserverpb.KV/Range";
    private static final String WATCH = "/etcdserverpb.Watch/Watch";
    private static final String SNAPSHOT = "/etcdserverpb.Maintenance/Snapshot";
    private static final byte[] VALID = RangeRequest.newBuilder().setKey(ByteString.copyFromUtf8("k")).build().toByteArray();
    /** Field 31, wire type 7: no such wire type. */
    private static final byte[] JUNK = {(byte) 0xff, (byte) 0xff, (byte) 0xff, 0x07, 0x01};

    private static final List<Throwable> escaped = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void watchEventLoops() {
        vetcd.vertx.exceptionHandler(escaped::add);
    }

    private record Case(String what, String path, Buffer body, Map<String, String> headers) {}

    private static Buffer frame(int flag, byte[] msg) {
        return Buffer.buffer().appendByte((byte) flag).appendInt(msg.length).appendBytes(msg);
    }

    private static Buffer prefixOnly(int length, byte[] part) {
        return Buffer.buffer().appendByte((byte) 0).appendInt(length).appendBytes(part);
    }

    private static List<Case> cases() {
        Map<String, String> none = Map.of();
        return List.of(
            new Case("undecodable (unary)", RANGE, frame(0, JUNK), none),
            new Case("field number 0 (unary)", RANGE, frame(0, new byte[] {0, 0, 0}), none),
            new Case("request cut in half inside its frame (unary)", RANGE, frame(0, Arrays.copyOf(VALID, 2)), none),
            new Case("a prefix longer than the body (unary)", RANGE, prefixOnly(VALID.length + 10, VALID), none),
            new Case("3 bytes, less than a prefix (unary)", RANGE, Buffer.buffer(new byte[] {0, 0, 0}), none),
            new Case("no message at all (unary)", RANGE, Buffer.buffer(), none),
            new Case("compressed flag, no grpc-encoding", RANGE, frame(1, VALID), none),
            new Case("compressed flag, grpc-encoding identity", RANGE, frame(1, VALID), Map.of("grpc-encoding", "identity")),
            new Case("grpc-encoding gzip (etcd has no decompressor)", RANGE, frame(1, VALID), Map.of("grpc-encoding", "gzip")),
            new Case("grpc-encoding snappy", RANGE, frame(0, VALID), Map.of("grpc-encoding", "snappy")),
            new Case("payload format 7", RANGE, frame(7, VALID), none),
            new Case("two messages on a unary call", RANGE, frame(0, VALID).appendBuffer(frame(0, VALID)), none),
            new Case("an undecodable second message", RANGE, frame(0, VALID).appendBuffer(frame(0, JUNK)), none),
            new Case("a compressed second message", RANGE, frame(0, VALID).appendBuffer(frame(1, JUNK)), none),
            new Case("a second message cut short", RANGE, frame(0, VALID).appendBuffer(Buffer.buffer(new byte[] {0, 0})), none),
            new Case("3 MB message (unary)", RANGE, frame(0, new byte[3 << 20]), none),
            new Case("undecodable (lock, unary)", "/v3lockpb.Lock/Lock", frame(0, JUNK), none),
            new Case("undecodable (watch)", WATCH, frame(0, JUNK), none),
            new Case("cut short (watch)", WATCH, prefixOnly(20, new byte[] {1, 2}), none),
            new Case("compressed flag (watch)", WATCH, frame(1, new byte[0]), none),
            new Case("3 MB message (watch)", WATCH, frame(0, new byte[3 << 20]), none),
            new Case("undecodable (lease keep-alive)", "/etcdserverpb.Lease/LeaseKeepAlive", frame(0, JUNK), none),
            new Case("no message (lease keep-alive)", "/etcdserverpb.Lease/LeaseKeepAlive", Buffer.buffer(), none),
            new Case("undecodable (snapshot, server-streaming)", SNAPSHOT, frame(0, JUNK), none),
            new Case("no message (snapshot)", SNAPSHOT, Buffer.buffer(), none),
            new Case("cut short (snapshot)", SNAPSHOT, prefixOnly(20, new byte[] {1, 2}), none),
            new Case("compressed flag (snapshot)", SNAPSHOT, frame(1, new byte[0]), none),
            new Case("undecodable (election observe)", "/v3electionpb.Election/Observe", frame(0, JUNK), none),
            new Case("unknown method", "/etcdserverpb.KV/Nope", frame(0, VALID), none),
            new Case("unknown service", "/etcdserverpb.Nope/Range", frame(0, VALID), none));
    }

    /** grpc-status and the decoded grpc-message, wherever the answer put them (headers when trailers-only). */
    private static String status(RawGrpcCall.Answer a) {
        String status = null;
        String message = null;
        for (String line : a.headers().isEmpty() ? a.trailers() : concat(a.headers(), a.trailers())) {
            if (line.startsWith("grpc-status: ")) status = line.substring(13);
            if (line.startsWith("grpc-message: ")) message = GoGrpcMessage.decode(line.substring(14));
        }
        if (message != null && message.isEmpty()) message = null; // etcd sends an empty one with OK
        if (message != null && message.contains("proto: ")) message = message.substring(0, message.indexOf("proto: ") + 7) + "...";
        return "HTTP " + a.httpStatus() + " grpc-status " + status + " " + message;
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    /**
     * One call, made a second time if the first got no answer at all within RawGrpcCall's 10 s: a CI
     * run once saw one call (of ~60) unanswered on a loaded machine and could not be reproduced in 400
     * tries under load. A server that never answers a case still fails here, on both tries.
     */
    private static RawGrpcCall.Answer answer(int port, Case c) throws Exception {
        try {
            return RawGrpcCall.call(vertx, port, c.path, c.body, c.headers);
        } catch (java.util.concurrent.TimeoutException e) {
            System.err.println("no answer within 10 s to '" + c.what + "' on port " + port + "; asking again");
            return RawGrpcCall.call(vertx, port, c.path, c.body, c.headers);
        }
    }

    @Test
    void malformedRequestsGetEtcdsStatus() throws Exception {
        List<String> differences = new ArrayList<>();
        for (Case c : cases()) {
            String fromEtcd = status(answer(etcd.clientPort, c));
            String fromVetcd;
            try {
                fromVetcd = status(answer(vetcd.clientPort, c));
            } catch (Exception e) {
                fromVetcd = "no answer: " + e;
            }
            if (!fromEtcd.equals(fromVetcd)) differences.add(c.what + ": etcd " + fromEtcd + ", vetcd " + fromVetcd);
        }
        assertEquals(List.of(), differences);
        assertEquals(List.of(), escaped, "exceptions that escaped onto vetcd's event loops");
    }
}
