package io.vetcd.api;

import io.vertx.core.Vertx;
import io.vetcd.pb.etcdserver.LeaseRevokeRequest;
import io.vetcd.pb.etcdserver.PutRequest;
import io.vetcd.testing.InJvmMember;
import io.vetcd.testing.RawGrpcCall;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A failed unary call is answered once: the member's event loops raise nothing while answering it.
 * (The metrics' end-of-call hook used to create an empty trailer block while the trailers-only
 * answer was being written, so Vert.x wrote a second header block to the closed stream and logged
 * "NullPointerException: ... this.val$promise is null" for every failed call.)
 */
class FailedCallsRaiseNothingTest {
    @Test
    void failedUnaryCallsLeaveNoUnhandledException() throws Exception {
        List<Throwable> unhandled = new CopyOnWriteArrayList<>();
        Vertx client = Vertx.vertx();
        try (InJvmMember member = InJvmMember.start()) {
            member.vertx.exceptionHandler(unhandled::add);
            for (int i = 0; i < 5; i++) {
                var revoke = RawGrpcCall.call(client, member.clientPort, "/etcdserverpb.Lease/LeaseRevoke",
                    LeaseRevokeRequest.newBuilder().setID(1000 + i).build());
                assertEquals(List.of("content-type: application/grpc", "grpc-status: 5",
                    "grpc-message: etcdserver: requested lease not found"), revoke.headers());
                var put = RawGrpcCall.call(client, member.clientPort, "/etcdserverpb.KV/Put", PutRequest.newBuilder().build());
                assertEquals("grpc-status: 3", put.headers().get(1));
            }
            // a successful call after them: anything the failures raised has been reported by now
            var ok = RawGrpcCall.call(client, member.clientPort, "/etcdserverpb.KV/Put",
                PutRequest.newBuilder().setKey(com.google.protobuf.ByteString.copyFromUtf8("k")).build());
            assertEquals(List.of("grpc-status: 0"), ok.trailers());
            assertEquals(List.of(), unhandled);
        } finally {
            client.close();
        }
    }
}
