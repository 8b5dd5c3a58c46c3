package io.vetcd.api;

import io.vertx.core.Future;
import io.vetcd.auth.AuthException;
import io.vetcd.auth.AuthInfo;
import io.vetcd.pb.etcdserver.WatchCreateRequest;
import io.vetcd.pb.etcdserver.WatchRequest;
import io.vetcd.server.EtcdError;
import io.vetcd.server.EtcdServer;
import io.vetcd.server.watch.WatchStream;

import java.util.function.Supplier;

/**
 * With auth on, a watch may only be created over keys its caller may read: otherwise it is
 * answered created and canceled with etcd's reason. The range checked is the one the client sent
 * (etcd 3.4 checked {@code range_end "\0"} after turning it into "to the end", i.e. as a single
 * key, which let a user watch keys they could not read; later etcd fixed that, and so do we).
 * Requests keep their order: a create whose caller is still being resolved holds back the rest.
 */
final class WatchCreateGuard {
    private final EtcdServer server;
    private final Supplier<Future<AuthInfo>> caller;
    private final WatchStream stream;
    private Future<Void> tail = Future.succeededFuture();

    WatchCreateGuard(EtcdServer server, Supplier<Future<AuthInfo>> caller, WatchStream stream) {
        this.server = server;
        this.caller = caller;
        this.stream = stream;
    }

    void handle(WatchRequest r) {
        boolean check = r.getRequestUnionCase() == WatchRequest.RequestUnionCase.CREATE_REQUEST && server.auth().enabled();
        if (!check && tail.isComplete()) {
            stream.handle(r);
            return;
        }
        tail = tail.compose(v -> check ? admit(r.getCreateRequest()) : Future.succeededFuture(true))
            .map(ok -> {
                if (ok) stream.handle(r);
                return (Void) null;
            })
            .otherwise(e -> null);
    }

    /** True when the create may go ahead; else the stream has been told why not. */
    private Future<Boolean> admit(WatchCreateRequest c) {
        return caller.get().map(ai -> {
            byte[] key = c.getKey().isEmpty() ? new byte[] {0} : c.getKey().toByteArray();
            server.auth().checkRange(ai, key, c.getRangeEnd().toByteArray());
            return true;
        }).recover(e -> {
            stream.refuseCreate(reason(e));
            return Future.succeededFuture(false);
        });
    }

    /** etcd's cancel reasons are grpc-go status errors printed as text. */
    private static String reason(Throwable e) {
        EtcdError err = EtcdError.PERMISSION_DENIED;
        if (e instanceof AuthException ae) {
            switch (ae.error()) {
                case INVALID_AUTH_TOKEN, AUTH_OLD_REVISION, USER_EMPTY -> err = EtcdError.of(ae).error();
                default -> { }
            }
        } else if (e instanceof io.vetcd.server.EtcdException ee && ee.error() == EtcdError.INVALID_AUTH_TOKEN) {
            err = EtcdError.INVALID_AUTH_TOKEN;
        }
        return "rpc error: code = " + goCodeName(err) + " desc = " + err.message;
    }

    private static String goCodeName(EtcdError e) {
        return switch (e.status) {
            case PERMISSION_DENIED -> "PermissionDenied";
            case UNAUTHENTICATED -> "Unauthenticated";
            default -> "InvalidArgument";
        };
    }
}
