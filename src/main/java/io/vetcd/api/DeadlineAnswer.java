package io.vetcd.api;

import io.vertx.grpc.common.GrpcStatus;
import io.vetcd.pb.etcdserver.RequestOp;
import io.vetcd.pb.etcdserver.TxnRequest;
import io.vetcd.server.EtcdError;

/**
 * What etcd answers when a call's {@code grpc-timeout} passes while its handler still waits. grpc-go
 * does not end the call itself: the handler's context expires and the handler returns what it makes
 * of that. A handler waiting for its proposal to apply turns it into "etcdserver: request timed out"
 * (UNAVAILABLE, etcd's parseProposeCtxErr, the answer vetcd's own request timeout gives too); the
 * others (a linearizable read, a lock or campaign, a watch, keep-alive or observe stream) return the
 * context's error as it is, which grpc-go sends as UNKNOWN "context deadline exceeded". Checked
 * against etcd 3.4.23 in {@code GrpcDeadlineWireTest}.
 */
record DeadlineAnswer(GrpcStatus status, String text) {
    static final String CONTEXT_DEADLINE = "context deadline exceeded";
    /** The request message was not read before the deadline: grpc-go's own answer. */
    static final DeadlineAnswer BEFORE_THE_REQUEST = new DeadlineAnswer(GrpcStatus.DEADLINE_EXCEEDED, CONTEXT_DEADLINE);
    private static final DeadlineAnswer CONTEXT_ERROR = new DeadlineAnswer(GrpcStatus.UNKNOWN, CONTEXT_DEADLINE);
    private static final DeadlineAnswer PROPOSAL = of(EtcdError.TIMEOUT);

    private static DeadlineAnswer of(EtcdError e) { return new DeadlineAnswer(e.status, e.message); }

    /** The answer of the handler of this method (its gRPC path), waiting with this request. */
    static DeadlineAnswer whileWaiting(String path, Object request) {
        return switch (path) {
            case "/etcdserverpb.KV/Put", "/etcdserverpb.KV/DeleteRange", "/etcdserverpb.KV/Compact",
                 "/etcdserverpb.Lease/LeaseGrant", "/etcdserverpb.Lease/LeaseRevoke", "/etcdserverpb.Lease/LeaseTimeToLive",
                 "/etcdserverpb.Cluster/MemberAdd", "/etcdserverpb.Cluster/MemberRemove",
                 "/etcdserverpb.Cluster/MemberUpdate", "/etcdserverpb.Cluster/MemberPromote",
                 "/etcdserverpb.Maintenance/Alarm" -> PROPOSAL;
            // a read-only txn waits for a linearizable read, as a range does
            case "/etcdserverpb.KV/Txn" -> request instanceof TxnRequest t && readOnly(t) ? CONTEXT_ERROR : PROPOSAL;
            case "/etcdserverpb.Maintenance/MoveLeader" -> of(EtcdError.TIMEOUT_LEADER_TRANSFER);
            // every auth request is a proposal but Authenticate, which first waits for a linearizable read
            default -> path.startsWith("/etcdserverpb.Auth/") && !path.equals("/etcdserverpb.Auth/Authenticate")
                ? PROPOSAL : CONTEXT_ERROR;
        };
    }

    /** etcd's isTxnReadonly: every operation of both branches is a range (a nested txn is not). */
    private static boolean readOnly(TxnRequest t) {
        for (RequestOp op : t.getSuccessList()) if (!op.hasRequestRange()) return false;
        for (RequestOp op : t.getFailureList()) if (!op.hasRequestRange()) return false;
        return true;
    }
}
