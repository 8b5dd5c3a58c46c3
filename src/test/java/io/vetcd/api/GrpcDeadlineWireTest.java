package io.vetcd.api;

import com.google.protobuf.ByteString;
import com.google.protobuf.MessageLite;
import io.vertx.core.buffer.Buffer;
import io.vetcd.pb.etcdserver.LeaseGrantRequest;
import io.vetcd.pb.etcdserver.LeaseGrantResponse;
import io.vetcd.pb.etcdserver.PutRequest;
import io.vetcd.pb.lock.LockRequest;
import io.vetcd.testing.RawCallsAgainstRealEtcd;
import io.vetcd.testing.RawGrpcCall;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A call's {@code grpc-timeout} (read by {@link GrpcTimeoutHeader}, kept by {@link GoGrpcCall} as a
 * task on its event loop): a call still waiting at its deadline ends with DEADLINE_EXCEEDED then
 * (etcd ends it then too), not before; a call answered in time is answered as without a deadline (and the
 * cancelled deadline does not fire later on the same connection's next call).
 */
class GrpcDeadlineWireTest extends RawCallsAgainstRealEtcd {

    private static RawGrpcCall.Answer call(int port, String path, MessageLite request, String timeout) throws Exception {
        byte[] msg = request.toByteArray();
        Buffer body = Buffer.buffer().appendByte((byte) 0).appendInt(msg.length).appendBytes(msg);
        return RawGrpcCall.call(vertx, port, path, body, timeout == null ? Map.of() : Map.of("grpc-timeout", timeout));
    }

    private static String status(RawGrpcCall.Answer a) {
        for (String h : a.trailers()) if (h.startsWith("grpc-status: ")) return h.substring(13);
        for (String h : a.headers()) if (h.startsWith("grpc-status: ")) return h.substring(13);
        return "none";
    }

    @Test
    void answeredInTimeAsWithoutDeadline() throws Exception {
        for (String timeout : new String[] {"5S", "29999870u", "2M", "1H"}) {
            PutRequest put = PutRequest.newBuilder().setKey(ByteString.copyFromUtf8("deadline-" + timeout))
                .setValue(ByteString.copyFromUtf8("v")).build();
            assertEquals(status(call(etcd.clientPort, "/etcdserverpb.KV/Put", put, timeout)),
                status(call(vetcd.clientPort, "/etcdserverpb.KV/Put", put, timeout)), timeout);
            assertEquals("0", status(call(vetcd.clientPort, "/etcdserverpb.KV/Put", put, timeout)), timeout);
        }
    }

    @Test
    void waitingCallEndsAtItsDeadline() throws Exception {
        for (int port : new int[] {etcd.clientPort, vetcd.clientPort}) {
            String who = port == etcd.clientPort ? "etcd" : "vetcd";
            long holder = LeaseGrantResponse.parseFrom(body(call(port, "/etcdserverpb.Lease/LeaseGrant",
                LeaseGrantRequest.newBuilder().setTTL(60).build(), null))).getID();
            long waiter = LeaseGrantResponse.parseFrom(body(call(port, "/etcdserverpb.Lease/LeaseGrant",
                LeaseGrantRequest.newBuilder().setTTL(60).build(), null))).getID();
            ByteString name = ByteString.copyFromUtf8("deadline-lock");
            assertEquals("0", status(call(port, "/v3lockpb.Lock/Lock", LockRequest.newBuilder().setName(name).setLease(holder).build(), null)), who);
            long t0 = System.nanoTime();
            RawGrpcCall.Answer waited = call(port, "/v3lockpb.Lock/Lock", LockRequest.newBuilder().setName(name).setLease(waiter).build(), "700m");
            long ms = (System.nanoTime() - t0) / 1_000_000;
            // etcd's lock service turns its context's error into UNKNOWN "context deadline exceeded";
            // vetcd ends the call with DEADLINE_EXCEEDED (as Vert.x's own deadline did): both end it then
            if (who.equals("vetcd")) assertEquals("4", status(waited), "vetcd: DEADLINE_EXCEEDED, got " + waited);
            else assertTrue(!status(waited).equals("0") && !status(waited).equals("none"), "etcd: " + waited);
            assertTrue(ms >= 690, who + " answered after " + ms + " ms, before the 700 ms deadline");
            assertTrue(ms < 5_000, who + " answered after " + ms + " ms");
        }
    }

    private static byte[] body(RawGrpcCall.Answer a) {
        byte[] b = a.body().getBytes();
        byte[] msg = new byte[b.length - 5];
        System.arraycopy(b, 5, msg, 0, msg.length);
        return msg;
    }
}
