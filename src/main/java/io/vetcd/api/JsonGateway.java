package io.vetcd.api;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.server.StatusException;
import io.vetcd.pb.etcdserver.CompactionRequest;
import io.vetcd.pb.etcdserver.DeleteRangeRequest;
import io.vetcd.pb.etcdserver.LeaseGrantRequest;
import io.vetcd.pb.etcdserver.LeaseKeepAliveRequest;
import io.vetcd.pb.etcdserver.LeaseLeasesRequest;
import io.vetcd.pb.etcdserver.LeaseRevokeRequest;
import io.vetcd.pb.etcdserver.LeaseTimeToLiveRequest;
import io.vetcd.pb.etcdserver.MemberListRequest;
import io.vetcd.pb.etcdserver.PutRequest;
import io.vetcd.pb.etcdserver.RangeRequest;
import io.vetcd.pb.etcdserver.StatusRequest;
import io.vetcd.pb.etcdserver.TxnRequest;

import java.util.function.BiFunction;
import io.vetcd.auth.AuthInfo;
import io.vetcd.pb.etcdserver.*;
import java.util.function.Supplier;

/**
 * etcd's grpc-gateway: the v3 API as JSON over HTTP/1.1 under /v3 and /v3beta.
 * Bytes fields are base64, 64-bit integers are strings and field names are the
 * proto names, exactly as etcd's gateway prints them.
 */
public final class JsonGateway {
    private static final JsonFormat.Printer PRINTER =
        JsonFormat.printer().preservingProtoFieldNames().omittingInsignificantWhitespace();
    private static final JsonFormat.Parser PARSER = JsonFormat.parser();

    private final KvApi kv;
    private final LeaseApi lease;
    private final MaintenanceApi maintenance;
    private final ClusterApi cluster;
    private final AuthApi auth;
    private final Callers callers;
    private final CallAdmission admission;
    private final long maxBodyBytes;

    public JsonGateway(KvApi kv, LeaseApi lease, MaintenanceApi maintenance, ClusterApi cluster, AuthApi auth,
                       Callers callers, CallAdmission admission, long maxBodyBytes) {
        this.kv = kv;
        this.lease = lease;
        this.maintenance = maintenance;
        this.cluster = cluster;
        this.auth = auth;
        this.callers = callers;
        this.admission = admission;
        this.maxBodyBytes = maxBodyBytes;
    }

    public void mount(Router router) {
        for (String prefix : new String[]{"/v3", "/v3beta"}) {
            router.post(prefix + "/*").handler(BodyHandler.create().setBodyLimit(maxBodyBytes)).handler(this::admit);
            // Range answers are written while scanned (JsonRangeStream); sorted ones as before.
            JsonRangeStream ranges = new JsonRangeStream(kv, callers, PRINTER);
            router.post(prefix + "/kv/range").handler(ctx -> {
                if (!ranges.handle(ctx)) ctx.next();
            });
            bind(router, prefix + "/kv/range", RangeRequest::newBuilder, kv::range);
            bind(router, prefix + "/kv/put", PutRequest::newBuilder, kv::put);
            bind(router, prefix + "/kv/deleterange", DeleteRangeRequest::newBuilder, kv::deleteRange);
            bind(router, prefix + "/kv/txn", TxnRequest::newBuilder, kv::txn);
            bind(router, prefix + "/kv/compaction", CompactionRequest::newBuilder, kv::compact);
            bind(router, prefix + "/lease/grant", LeaseGrantRequest::newBuilder, lease::leaseGrant);
            // etcd serves revoke, timetolive and leases also under /kv/lease/ (its older paths)
            for (String base : new String[]{prefix + "/lease", prefix + "/kv/lease"}) {
                bind(router, base + "/revoke", LeaseRevokeRequest::newBuilder, lease::leaseRevoke);
                bind(router, base + "/timetolive", LeaseTimeToLiveRequest::newBuilder, lease::leaseTimeToLive);
                bind(router, base + "/leases", LeaseLeasesRequest::newBuilder, lease::leaseLeases);
            }
            // a stream in gRPC; over HTTP/1 one request gets one answer, wrapped as the gateway wraps stream items
            bind(router, prefix + "/lease/keepalive", LeaseKeepAliveRequest::newBuilder,
                (AuthInfo ai, LeaseKeepAliveRequest r) -> lease.keepAliveOnce(ai, r).recover(GrpcErrors::fail), true);
            bind(router, prefix + "/maintenance/status", StatusRequest::newBuilder,
                (AuthInfo ai, StatusRequest r) -> maintenance.admin(ai).compose(v -> maintenance.status(r)));
            bind(router, prefix + "/cluster/member/list", MemberListRequest::newBuilder, cluster::memberList);
            mountAuth(router, prefix + "/auth");
        }
    }

    /**
     * etcd's gateway calls its member's gRPC server, whose interceptors refuse a learner's calls
     * but Status and serializable Range ({@link CallAdmission}); the same here, for every /v3 path.
     */
    private void admit(RoutingContext ctx) {
        if (!admission.learner()) {
            ctx.next();
            return;
        }
        String path = ctx.request().path();
        Object request = null;
        if (path.endsWith("/maintenance/status")) {
            request = StatusRequest.getDefaultInstance();
        } else if (path.endsWith("/kv/range")) {
            try {
                RangeRequest.Builder b = RangeRequest.newBuilder();
                mergeBody(ctx, b);
                request = b.build();
            } catch (InvalidProtocolBufferException | RuntimeException e) {
                ctx.next(); // the range route answers the parse error, as etcd's gateway does before any call
                return;
            }
        }
        StatusException no = admission.refuseOnLearner(request);
        if (no == null) ctx.next();
        else fail(ctx, no);
    }

    /** The Auth service's gateway paths, as etcd's rpc.proto names them. */
    private void mountAuth(Router router, String p) {
        bind(router, p + "/enable", AuthEnableRequest::newBuilder, auth::authEnable);
        bind(router, p + "/disable", AuthDisableRequest::newBuilder, auth::authDisable);
        bind(router, p + "/status", AuthStatusRequest::newBuilder, auth::authStatus);
        bind(router, p + "/authenticate", AuthenticateRequest::newBuilder, auth::authenticate);
        bind(router, p + "/user/add", AuthUserAddRequest::newBuilder, auth::userAdd);
        bind(router, p + "/user/get", AuthUserGetRequest::newBuilder, auth::userGet);
        bind(router, p + "/user/list", AuthUserListRequest::newBuilder, auth::userList);
        bind(router, p + "/user/delete", AuthUserDeleteRequest::newBuilder, auth::userDelete);
        bind(router, p + "/user/changepw", AuthUserChangePasswordRequest::newBuilder, auth::userChangePassword);
        bind(router, p + "/user/grant", AuthUserGrantRoleRequest::newBuilder, auth::userGrantRole);
        bind(router, p + "/user/revoke", AuthUserRevokeRoleRequest::newBuilder, auth::userRevokeRole);
        bind(router, p + "/role/add", AuthRoleAddRequest::newBuilder, auth::roleAdd);
        bind(router, p + "/role/get", AuthRoleGetRequest::newBuilder, auth::roleGet);
        bind(router, p + "/role/list", AuthRoleListRequest::newBuilder, auth::roleList);
        bind(router, p + "/role/delete", AuthRoleDeleteRequest::newBuilder, auth::roleDelete);
        bind(router, p + "/role/grant", AuthRoleGrantPermissionRequest::newBuilder, auth::roleGrantPermission);
        bind(router, p + "/role/revoke", AuthRoleRevokePermissionRequest::newBuilder, auth::roleRevokePermission);
    }

    private <Q extends Message, B extends Message.Builder> void bind(
            Router router, String path, Supplier<B> builder, BiFunction<AuthInfo, Q, Future<? extends Message>> call) {
        bind(router, path, builder, call, false);
    }

    /** {@code streamItem}: the answer is one item of a gRPC stream, which the gateway wraps as {"result": ...}. */
    @SuppressWarnings("unchecked")
    private <Q extends Message, B extends Message.Builder> void bind(
            Router router, String path, Supplier<B> builder, BiFunction<AuthInfo, Q, Future<? extends Message>> call,
            boolean streamItem) {
        router.post(path).handler(ctx -> {
            Q req;
            try {
                B b = builder.get();
                mergeBody(ctx, b);
                req = (Q) b.build();
            } catch (InvalidProtocolBufferException | RuntimeException e) {
                fail(ctx, new StatusException(GrpcStatus.INVALID_ARGUMENT, parseErrorText(e)));
                return;
            }
            // the gateway's caller comes from its Authorization header; never from a client certificate
            callers.of(ctx).compose(ai -> call.apply(ai, req)).onComplete(ar -> {
                if (ar.succeeded()) {
                    try {
                        String json = PRINTER.print(ar.result());
                        if (streamItem) json = "{\"result\":" + json + "}\n";
                        ctx.response().putHeader("content-type", "application/json").end(Buffer.buffer(json));
                    } catch (InvalidProtocolBufferException e) {
                        fail(ctx, GrpcErrors.toStatus(e));
                    }
                } else {
                    fail(ctx, GrpcErrors.toStatus(ar.cause()));
                }
            });
        });
    }

    private static final java.util.regex.Pattern JAVA_TYPE_PREFIX =
        java.util.regex.Pattern.compile("^(?:[a-zA-Z_$][\\w$]*\\.)+[A-Za-z_$][\\w$]*(?:Exception|Error):\\s*");

    /**
     * A request body that would not parse, in the client's terms: Go's "unexpected EOF" for a cut-short
     * body (grpc-gateway's words), otherwise the parser's text without the Java exception type it starts
     * with (found by GatewayFuzzTest: "java.io.EOFException: End of input ...").
     */
    static String parseErrorText(Exception e) {
        String m = String.valueOf(e.getMessage());
        if (m.contains("EOFException") || m.contains("End of input")) return "unexpected EOF";
        String t = m;
        for (String before = null; !t.equals(before); ) {
            before = t;
            t = JAVA_TYPE_PREFIX.matcher(t).replaceFirst("");
        }
        return t;
    }

    /** Merges a gateway request's JSON body (none, or blank: the default request) into {@code b}. */
    static void mergeBody(RoutingContext ctx, Message.Builder b) throws InvalidProtocolBufferException {
        String body = ctx.body().asString();
        if (body != null && !body.isBlank()) PARSER.merge(body, b);
    }

    /** grpc-gateway's error body: the message twice (error, message) and the numeric gRPC code. */
    static void fail(RoutingContext ctx, StatusException e) {
        String msg = e.message() == null ? "" : e.message();
        JsonObject body = new JsonObject().put("error", msg).put("message", msg).put("code", e.status().code);
        ctx.response().setStatusCode(httpStatus(e.status()))
            .putHeader("content-type", "application/json").end(body.encode());
    }

    /** grpc-gateway's mapping of gRPC codes to HTTP statuses. */
    static int httpStatus(GrpcStatus s) {
        return switch (s) {
            case OK -> 200;
            case CANCELLED -> 408;
            case INVALID_ARGUMENT, FAILED_PRECONDITION, OUT_OF_RANGE -> 400;
            case DEADLINE_EXCEEDED -> 504;
            case NOT_FOUND -> 404;
            case ALREADY_EXISTS, ABORTED -> 409;
            case PERMISSION_DENIED -> 403;
            case UNAUTHENTICATED -> 401;
            case RESOURCE_EXHAUSTED -> 429;
            case UNIMPLEMENTED -> 501;
            case UNAVAILABLE -> 503;
            default -> 500;
        };
    }
}
