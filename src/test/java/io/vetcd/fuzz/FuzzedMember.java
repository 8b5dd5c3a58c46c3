package io.vetcd.fuzz;

import com.google.protobuf.ByteString;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpVersion;
import io.vetcd.pb.etcdserver.AlarmRequest;
import io.vetcd.pb.etcdserver.AlarmResponse;
import io.vetcd.pb.etcdserver.PutRequest;
import io.vetcd.pb.etcdserver.RangeRequest;
import io.vetcd.pb.etcdserver.RangeResponse;
import io.vetcd.testing.InJvmMember;
import io.vetcd.testing.TempDirs;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A real in-process member under fuzz, with a key written before any fuzzing (the sentinel) and
 * every exception that escaped a handler onto the event loop recorded: after a batch the member
 * must still serve the sentinel unchanged, take a write, and have let nothing escape.
 */
final class FuzzedMember implements AutoCloseable {
    static final ByteString SENTINEL_KEY = ByteString.copyFromUtf8("fuzz-sentinel");
    static final ByteString SENTINEL_VALUE = ByteString.copyFromUtf8("written before the fuzz batch \u2713");

    final InJvmMember member;
    final HttpClient grpc;
    final List<Throwable> escaped = new CopyOnWriteArrayList<>();
    private int checks;

    private FuzzedMember(InJvmMember member) {
        this.member = member;
        this.grpc = member.vertx.createHttpClient(new HttpClientOptions()
            .setProtocolVersion(HttpVersion.HTTP_2).setHttp2ClearTextUpgrade(false));
        member.vertx.exceptionHandler(escaped::add);
    }

    static FuzzedMember start() throws Exception {
        FuzzedMember m = new FuzzedMember(InJvmMember.start());
        m.unary("/etcdserverpb.KV/Put", PutRequest.newBuilder().setKey(SENTINEL_KEY).setValue(SENTINEL_VALUE).build().toByteArray());
        return m;
    }

    long memberId() {
        return member.node.server().memberId();
    }

    /** A well-formed call that must succeed; its response message's bytes. */
    byte[] unary(String path, byte[] request) throws Exception {
        // as the fuzzed calls: a stall of the shared connection is retried on a fresh one and counted (GrpcExchange)
        GrpcExchange a = GrpcExchange.send(grpc, member.vertx, member.clientPort, path, GrpcExchange.frame(request));
        assertEquals("0", a.grpcStatus(), path + ": " + a);
        Buffer b = a.body();
        return b.getBytes(5, b.length());
    }

    /**
     * The member is intact: alarms a fuzzed request raised are disarmed (a client may do that), then
     * the sentinel reads as written and a new write is readable.
     */
    void assertIntact() throws Exception {
        AlarmResponse alarms = AlarmResponse.parseFrom(unary("/etcdserverpb.Maintenance/Alarm",
            AlarmRequest.newBuilder().setAction(AlarmRequest.AlarmAction.GET).build().toByteArray()));
        for (var alarm : alarms.getAlarmsList()) {
            unary("/etcdserverpb.Maintenance/Alarm", AlarmRequest.newBuilder().setAction(AlarmRequest.AlarmAction.DEACTIVATE)
                .setMemberID(alarm.getMemberID()).setAlarm(alarm.getAlarm()).build().toByteArray());
        }
        RangeResponse sentinel = RangeResponse.parseFrom(unary("/etcdserverpb.KV/Range",
            RangeRequest.newBuilder().setKey(SENTINEL_KEY).build().toByteArray()));
        assertEquals(1, sentinel.getKvsCount(), "the sentinel key is still there");
        assertEquals(SENTINEL_VALUE, sentinel.getKvs(0).getValue(), "the sentinel's value is unchanged");
        ByteString probe = ByteString.copyFromUtf8("fuzz-after/" + (++checks));
        unary("/etcdserverpb.KV/Put", PutRequest.newBuilder().setKey(probe).setValue(probe).build().toByteArray());
        RangeResponse read = RangeResponse.parseFrom(unary("/etcdserverpb.KV/Range", RangeRequest.newBuilder().setKey(probe).build().toByteArray()));
        assertEquals(probe, read.getKvs(0).getValue(), "a write after the batch is readable");
        assertEquals(List.of(), escaped, "exceptions that escaped a handler onto the event loop");
    }

    @Override
    public void close() {
        try {
            grpc.close().await();
            member.close();
        } finally {
            TempDirs.delete(member.dataDir);
        }
    }
}
