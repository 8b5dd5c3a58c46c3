package io.vetcd.server;

import io.vertx.grpc.common.GrpcStatus;

/**
 * The errors a client can get, with etcd 3.4's gRPC status codes and messages.
 * Clients (clientv3, jetcd, etcdctl) branch on these exact strings, so they are
 * part of the API, not cosmetics.
 */
public enum EtcdError {
    EMPTY_KEY(GrpcStatus.INVALID_ARGUMENT, "etcdserver: key is not provided"),
    KEY_NOT_FOUND(GrpcStatus.INVALID_ARGUMENT, "etcdserver: key not found"),
    VALUE_PROVIDED(GrpcStatus.INVALID_ARGUMENT, "etcdserver: value is provided"),
    LEASE_PROVIDED(GrpcStatus.INVALID_ARGUMENT, "etcdserver: lease is provided"),
    TOO_MANY_OPS(GrpcStatus.INVALID_ARGUMENT, "etcdserver: too many operations in txn request"),
    DUPLICATE_KEY(GrpcStatus.INVALID_ARGUMENT, "etcdserver: duplicate key given in txn request"),
    COMPACTED(GrpcStatus.OUT_OF_RANGE, "etcdserver: mvcc: required revision has been compacted"),
    FUTURE_REV(GrpcStatus.OUT_OF_RANGE, "etcdserver: mvcc: required revision is a future revision"),
    NO_SPACE(GrpcStatus.RESOURCE_EXHAUSTED, "etcdserver: mvcc: database space exceeded"),
    LEASE_NOT_FOUND(GrpcStatus.NOT_FOUND, "etcdserver: requested lease not found"),
    LEASE_EXIST(GrpcStatus.FAILED_PRECONDITION, "etcdserver: lease already exists"),
    LEASE_TTL_TOO_LARGE(GrpcStatus.OUT_OF_RANGE, "etcdserver: too large lease TTL"),
    WATCH_CANCELED(GrpcStatus.CANCELLED, "etcdserver: watch canceled"),
    MEMBER_EXIST(GrpcStatus.FAILED_PRECONDITION, "etcdserver: member ID already exist"),
    PEER_URL_EXIST(GrpcStatus.FAILED_PRECONDITION, "etcdserver: Peer URLs already exists"),
    MEMBER_NOT_ENOUGH_STARTED(GrpcStatus.FAILED_PRECONDITION, "etcdserver: re-configuration failed due to not enough started members"),
    MEMBER_BAD_URLS(GrpcStatus.INVALID_ARGUMENT, "etcdserver: given member URLs are invalid"),
    MEMBER_NOT_FOUND(GrpcStatus.NOT_FOUND, "etcdserver: member not found"),
    MEMBER_NOT_LEARNER(GrpcStatus.FAILED_PRECONDITION, "etcdserver: can only promote a learner member"),
    LEARNER_NOT_READY(GrpcStatus.FAILED_PRECONDITION, "etcdserver: can only promote a learner member which is in sync with leader"),
    TOO_MANY_LEARNERS(GrpcStatus.FAILED_PRECONDITION, "etcdserver: too many learner members in cluster"),
    NOT_SUPPORTED_FOR_LEARNER(GrpcStatus.UNAVAILABLE, "etcdserver: rpc not supported for learner"),
    REQUEST_TOO_LARGE(GrpcStatus.INVALID_ARGUMENT, "etcdserver: request is too large"),
    TOO_MANY_REQUESTS(GrpcStatus.RESOURCE_EXHAUSTED, "etcdserver: too many requests"),
    ROOT_USER_NOT_EXIST(GrpcStatus.FAILED_PRECONDITION, "etcdserver: root user does not exist"),
    ROOT_ROLE_NOT_EXIST(GrpcStatus.FAILED_PRECONDITION, "etcdserver: root user does not have root role"),
    USER_ALREADY_EXIST(GrpcStatus.FAILED_PRECONDITION, "etcdserver: user name already exists"),
    USER_EMPTY(GrpcStatus.INVALID_ARGUMENT, "etcdserver: user name is empty"),
    USER_NOT_FOUND(GrpcStatus.FAILED_PRECONDITION, "etcdserver: user name not found"),
    ROLE_ALREADY_EXIST(GrpcStatus.FAILED_PRECONDITION, "etcdserver: role name already exists"),
    ROLE_NOT_FOUND(GrpcStatus.FAILED_PRECONDITION, "etcdserver: role name not found"),
    ROLE_EMPTY(GrpcStatus.INVALID_ARGUMENT, "etcdserver: role name is empty"),
    AUTH_FAILED(GrpcStatus.INVALID_ARGUMENT, "etcdserver: authentication failed, invalid user ID or password"),
    PERMISSION_DENIED(GrpcStatus.PERMISSION_DENIED, "etcdserver: permission denied"),
    ROLE_NOT_GRANTED(GrpcStatus.FAILED_PRECONDITION, "etcdserver: role is not granted to the user"),
    PERMISSION_NOT_GRANTED(GrpcStatus.FAILED_PRECONDITION, "etcdserver: permission is not granted to the role"),
    AUTH_NOT_ENABLED(GrpcStatus.FAILED_PRECONDITION, "etcdserver: authentication is not enabled"),
    INVALID_AUTH_TOKEN(GrpcStatus.UNAUTHENTICATED, "etcdserver: invalid auth token"),
    INVALID_AUTH_MGMT(GrpcStatus.INVALID_ARGUMENT, "etcdserver: invalid auth management"),
    AUTH_OLD_REVISION(GrpcStatus.INVALID_ARGUMENT, "etcdserver: revision of auth store is old"),
    PERMISSION_NOT_GIVEN(GrpcStatus.INVALID_ARGUMENT, "etcdserver: permission not given"),
    NO_LEADER(GrpcStatus.UNAVAILABLE, "etcdserver: no leader"),
    NOT_LEADER(GrpcStatus.FAILED_PRECONDITION, "etcdserver: not leader"),
    LEADER_CHANGED(GrpcStatus.UNAVAILABLE, "etcdserver: leader changed"),
    NOT_CAPABLE(GrpcStatus.UNAVAILABLE, "etcdserver: not capable"),
    STOPPED(GrpcStatus.UNAVAILABLE, "etcdserver: server stopped"),
    TIMEOUT(GrpcStatus.UNAVAILABLE, "etcdserver: request timed out"),
    TIMEOUT_DUE_TO_LEADER_FAIL(GrpcStatus.UNAVAILABLE, "etcdserver: request timed out, possibly due to previous leader failure"),
    TIMEOUT_WAIT_APPLIED_INDEX(GrpcStatus.UNAVAILABLE, "etcdserver: request timed out, waiting for the applied index took too long"),
    UNHEALTHY(GrpcStatus.UNAVAILABLE, "etcdserver: unhealthy cluster"),
    CORRUPT(GrpcStatus.DATA_LOSS, "etcdserver: corrupt cluster"),
    TIMEOUT_LEADER_TRANSFER(GrpcStatus.UNAVAILABLE, "etcdserver: request timed out, leader transfer took too long"),
    BAD_LEADER_TRANSFEREE(GrpcStatus.FAILED_PRECONDITION, "etcdserver: bad leader transferee"),
    NOT_IMPLEMENTED(GrpcStatus.UNIMPLEMENTED, "vetcd: not implemented yet");

    public final GrpcStatus status;
    public final String message;

    EtcdError(GrpcStatus status, String message) {
        this.status = status;
        this.message = message;
    }

    /** The same refusal as the auth store named it (its {@code AuthError} has our names). */
    public static EtcdException of(io.vetcd.auth.AuthException e) {
        return valueOf(e.error().name()).exception();
    }

    public EtcdException exception() {
        return new EtcdException(this);
    }
}
