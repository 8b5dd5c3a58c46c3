package io.vetcd.api;

import com.google.protobuf.ByteString;
import com.google.protobuf.MessageLite;
import io.vertx.core.buffer.Buffer;
import io.vetcd.pb.election.CampaignRequest;
import io.vetcd.pb.election.LeaderRequest;
import io.vetcd.pb.etcdserver.LeaseGrantRequest;
import io.vetcd.pb.etcdserver.LeaseGrantResponse;
import io.vetcd.pb.etcdserver.LeaseKeepAliveRequest;
import io.vetcd.pb.etcdserver.PutRequest;
import io.vetcd.pb.etcdserver.RangeRequest;
import io.vetcd.pb.etcdserver.WatchCreateRequest;
import io.vetcd.pb.etcdserver.WatchRequest;
import io.vetcd.pb.lock.LockRequest;
import io.vetcd.testing.RawCallsAgainstRealEtcd;
import io.vetcd.testing.RawGrpcCall;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A call's {@code grpc-timeout} (read by {@link GrpcTimeoutHeader}, kept by {@link GoGrpcCall} as a
 * task on its event loop), etcd 3.4.23 and vetcd side by side: a call still waiting at its deadline
 * ends then, not before, with the status and message etcd's handler gives ({@link DeadlineAnswer});
 * a deadline that passed before the request was read is grpc-go's DEADLINE_EXCEEDED; a call answered
 * in time is answered as without a deadline (and the cancelled deadline does not fire later on the
 * same connection's next call).
 */
class GrpcDeadlineWireTest extends RawCallsAgainstRealEtcd {

    private static RawGrpcCall.Answer call(int port, String path, MessageLite request, String timeout) throws Exception {
        byte[] msg = request.toByteArray();
        Buffer body = Buffer.buffer().appendByte((byte) 0).appendInt(msg.length).appendBytes(msg);
        return RawGrpcCall.call(vertx, port, path, body, timeout == null ? Map.of() : Map.of("grpc-timeout", timeout));
    }

    /** grpc-status and grpc-message, from the trailers or, for a trailers-only answer, the headers. */
    private static String status(RawGrpcCall.Answer a) {
        String code = "none";
        String text = "";
        for (var block : new java.util.List[] {a.headers(), a.trailers()}) {
            for (Object o : block) {
                String h = (String) o;
                if (h.startsWith("grpc-status: ")) code = h.substring(13);
                if (h.startsWith("grpc-message: ")) text = h.substring(14);
            }
        }
        return code + " " + text;
    }

    @Test
    void answeredInTimeAsWithoutDeadline() throws Exception {
        for (String timeout : new String[] {"5S", "29999870u", "2M", "1H", "99999999H"}) {
            PutRequest put = PutRequest.newBuilder().setKey(ByteString.copyFromUtf8("deadline-" + timeout))
                .setValue(ByteString.copyFromUtf8("v")).build();
            assertEquals(status(call(etcd.clientPort, "/etcdserverpb.KV/Put", put, timeout)),
                status(call(vetcd.clientPort, "/etcdserverpb.KV/Put", put, timeout)), timeout);
            assertEquals("0 ", status(call(vetcd.clientPort, "/etcdserverpb.KV/Put", put, timeout)), timeout);
        }
    }

    @Test
    void deadlinePassedBeforeTheRequestWasRead() throws Exception {
        PutRequest put = PutRequest.newBuilder().setKey(ByteString.copyFromUtf8("deadline-short")).setValue(ByteString.copyFromUtf8("v")).build();
        RangeRequest range = RangeRequest.newBuilder().setKey(ByteString.copyFromUtf8("deadline-short")).build();
        for (String timeout : new String[] {"1u", "0m", "5n"}) {
            // etcd: 4 when the deadline passed before grpc-go read the message (its read fails), else 2 (the
            // handler returns its context's error), and now and then 0 (CI 2026-12-06: the call finished before
            // grpc-go looked at its deadline); which one is a race there, vetcd's answer is the first
            for (MessageLite request : new MessageLite[] {put, range}) {
                String path = request == put ? "/etcdserverpb.KV/Put" : "/etcdserverpb.KV/Range";
                String fromEtcd = status(call(etcd.clientPort, path, request, timeout));
                assertTrue(fromEtcd.equals("4 context deadline exceeded") || fromEtcd.equals("2 context deadline exceeded")
                    || fromEtcd.equals("0 "), "etcd " + fromEtcd);
                assertEquals("4 context deadline exceeded", status(call(vetcd.clientPort, path, request, timeout)), "vetcd " + path + " " + timeout);
            }
            // a stream's handler returns its context's error (etcd: unless grpc-go's read of the message fails
            // first, the same race as above; a run at 20:53 UTC saw 4 for "0m"; and now and then 0, stop 22's
            // CI, 2026-12-06: the client's half-close ended the stream before grpc-go looked at its deadline)
            MessageLite keepAlive = LeaseKeepAliveRequest.newBuilder().setID(1).build();
            String fromEtcd = status(call(etcd.clientPort, "/etcdserverpb.Lease/LeaseKeepAlive", keepAlive, timeout));
            assertTrue(fromEtcd.equals("2 context deadline exceeded") || fromEtcd.equals("4 context deadline exceeded")
                || fromEtcd.equals("0 "), "etcd " + fromEtcd);
            assertEquals("2 context deadline exceeded", status(call(vetcd.clientPort, "/etcdserverpb.Lease/LeaseKeepAlive", keepAlive, timeout)),
                "vetcd " + timeout);
        }
        byte[] b = call(vetcd.clientPort, "/etcdserverpb.KV/Range", range, null).body().getBytes();
        assertEquals(0, io.vetcd.pb.etcdserver.RangeResponse.parseFrom(java.util.Arrays.copyOfRange(b, 5, b.length)).getCount(),
            "a put refused at its deadline is not made");
    }

    @Test
    void waitingCallsEndAtTheirDeadlineWithEtcdsAnswer() throws Exception {
        String[] etcdAnswers = answersOf(etcd.clientPort, "etcd");
        String[] vetcdAnswers = answersOf(vetcd.clientPort, "vetcd");
        String[] what = {"lock", "campaign", "observe", "watch"};
        for (int i = 0; i < what.length; i++) {
            assertEquals(etcdAnswers[i], vetcdAnswers[i], what[i]);
            assertEquals("2 context deadline exceeded", vetcdAnswers[i], what[i]);
        }
    }

    /** A waiting Lock, Campaign, Observe and Watch, each with a 700 ms deadline; checks they end then. */
    private static String[] answersOf(int port, String who) throws Exception {
        long holder = lease(port);
        long waiter = lease(port);
        ByteString name = ByteString.copyFromUtf8("deadline-" + who);
        assertEquals("0 ", status(call(port, "/v3lockpb.Lock/Lock", LockRequest.newBuilder().setName(name).setLease(holder).build(), null)), who);
        assertEquals("0 ", status(call(port, "/v3electionpb.Election/Campaign", CampaignRequest.newBuilder()
            .setName(name).setLease(holder).setValue(ByteString.copyFromUtf8("a")).build(), null)), who);
        MessageLite watch = WatchRequest.newBuilder().setCreateRequest(WatchCreateRequest.newBuilder().setKey(name)).build();
        return new String[] {
            timed(port, who, "/v3lockpb.Lock/Lock", LockRequest.newBuilder().setName(name).setLease(waiter).build()),
            timed(port, who, "/v3electionpb.Election/Campaign", CampaignRequest.newBuilder().setName(name).setLease(waiter)
                .setValue(ByteString.copyFromUtf8("b")).build()),
            timed(port, who, "/v3electionpb.Election/Observe", LeaderRequest.newBuilder().setName(name).build()),
            timed(port, who, "/etcdserverpb.Watch/Watch", watch),
        };
    }

    private static String timed(int port, String who, String path, MessageLite request) throws Exception {
        long t0 = System.nanoTime();
        RawGrpcCall.Answer a = call(port, path, request, "700m");
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(ms >= 690, who + " " + path + " answered after " + ms + " ms, before the 700 ms deadline: " + a);
        assertTrue(ms < 5_000, who + " " + path + " answered after " + ms + " ms");
        return status(a);
    }

    private static long lease(int port) throws Exception {
        byte[] b = call(port, "/etcdserverpb.Lease/LeaseGrant", LeaseGrantRequest.newBuilder().setTTL(60).build(), null).body().getBytes();
        return LeaseGrantResponse.parseFrom(java.util.Arrays.copyOfRange(b, 5, b.length)).getID();
    }
}
