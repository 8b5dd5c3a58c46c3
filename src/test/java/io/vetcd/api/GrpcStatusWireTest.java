package io.vetcd.api;

import com.google.protobuf.ByteString;
import com.google.protobuf.MessageLite;
import io.vetcd.pb.etcdserver.LeaseRevokeRequest;
import io.vetcd.pb.etcdserver.PutRequest;
import io.vetcd.pb.etcdserver.RangeRequest;
import io.vetcd.pb.etcdserver.TxnRequest;
import io.vetcd.pb.etcdserver.RequestOp;
import io.vetcd.testing.RawCallsAgainstRealEtcd;
import io.vetcd.testing.Cli;
import io.vetcd.testing.RawGrpcCall;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * Failed calls answer with exactly etcd's HTTP/2 header block (trailers-only: content-type,
 * grpc-status, grpc-message with the text verbatim, as Go's gRPC encodes it), compared on the
 * wire with a real etcd 3.4.
 */
class GrpcStatusWireTest extends RawCallsAgainstRealEtcd {

    private static void sameAsEtcd(String path, MessageLite request) throws Exception {
        RawGrpcCall.Answer fromEtcd = RawGrpcCall.call(vertx, etcd.clientPort, path, request);
        RawGrpcCall.Answer fromVetcd = RawGrpcCall.call(vertx, vetcd.clientPort, path, request);
        assertFalse(fromEtcd.headers().stream().noneMatch(h -> h.startsWith("grpc-status")), "etcd answered trailers-only: " + fromEtcd);
        assertEquals(fromEtcd.httpStatus(), fromVetcd.httpStatus());
        assertEquals(fromEtcd.headers(), fromVetcd.headers(), path);
        assertEquals(fromEtcd.trailers(), fromVetcd.trailers(), path);
    }

    @Test
    void leaseNotFound() throws Exception {
        sameAsEtcd("/etcdserverpb.Lease/LeaseRevoke", LeaseRevokeRequest.newBuilder().setID(0x1234).build());
    }

    @Test
    void emptyKey() throws Exception {
        sameAsEtcd("/etcdserverpb.KV/Put", PutRequest.newBuilder().build());
    }

    @Test
    void futureRevision() throws Exception {
        sameAsEtcd("/etcdserverpb.KV/Range", RangeRequest.newBuilder().setKey(ByteString.copyFromUtf8("k")).setRevision(1_000_000).build());
    }

    @Test
    void duplicateKeyInTxn() throws Exception {
        RequestOp put = RequestOp.newBuilder().setRequestPut(PutRequest.newBuilder().setKey(ByteString.copyFromUtf8("d"))).build();
        sameAsEtcd("/etcdserverpb.KV/Txn", TxnRequest.newBuilder().addSuccess(put).addSuccess(put).build());
    }

    @Test
    void etcdctlSeesTheSameText() {
        var e = Cli.etcdctl(etcd.endpoint(), "lease", "revoke", "1234");
        var v = Cli.etcdctl(vetcd.endpoint(), "lease", "revoke", "1234");
        assertEquals(e.exitCode(), v.exitCode());
        assertEquals(lastLine(e.output()), lastLine(v.output())); // earlier lines are clientv3's timestamped retry logs
    }

    private static String lastLine(String s) {
        String[] lines = s.strip().split("\n");
        return lines[lines.length - 1];
    }
}
