package io.vetcd.api;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import io.vertx.core.Future;
import io.vetcd.auth.AuthInfo;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.server.StatusException;
import io.vetcd.pb.election.CampaignRequest;
import io.vetcd.pb.election.LeaderRequest;
import io.vetcd.pb.election.LeaderResponse;
import io.vetcd.pb.election.ProclaimRequest;
import io.vetcd.pb.election.ResignRequest;
import io.vetcd.pb.lock.LockRequest;
import io.vetcd.pb.lock.UnlockRequest;
import io.vetcd.server.concurrency.Cancellation;
import io.vetcd.server.concurrency.ElectionObserver;

import java.util.function.BiFunction;
import java.util.function.Supplier;

/**
 * grpc-gateway routes of the Lock and Election services under /v3 and /v3beta. Unlike
 * {@link JsonGateway}'s routes, a Lock or Campaign may wait long, so a closed connection cancels
 * it; Observe streams newline-delimited {@code {"result":{...}}} objects like the watch route.
 * Needs the body handler {@link JsonGateway} mounts on {@code /v3/*}.
 */
public final class JsonConcurrencyGateway {
    private static final JsonFormat.Printer PRINTER =
        JsonFormat.printer().preservingProtoFieldNames().omittingInsignificantWhitespace();

    private final LockApi lock;
    private final ElectionApi election;
    private final Callers callers;

    public JsonConcurrencyGateway(LockApi lock, ElectionApi election, Callers callers) {
        this.lock = lock;
        this.election = election;
        this.callers = callers;
    }

    /** A gateway call made for a caller, which learns when the caller goes away. */
    private interface Call<Q> {
        Future<? extends Message> apply(AuthInfo caller, Q request, Cancellation cancel);
    }

    public void mount(Router router) {
        for (String prefix : new String[]{"/v3", "/v3beta"}) {
            bind(router, prefix + "/lock/lock", LockRequest::newBuilder, lock::lock);
            bind(router, prefix + "/lock/unlock", UnlockRequest::newBuilder, (AuthInfo ai, UnlockRequest r, Cancellation c) -> lock.unlock(ai, r));
            bind(router, prefix + "/election/campaign", CampaignRequest::newBuilder, election::campaign);
            bind(router, prefix + "/election/proclaim", ProclaimRequest::newBuilder,
                (AuthInfo ai, ProclaimRequest r, Cancellation c) -> election.proclaim(ai, r));
            bind(router, prefix + "/election/leader", LeaderRequest::newBuilder,
                (AuthInfo ai, LeaderRequest r, Cancellation c) -> election.leader(ai, r));
            bind(router, prefix + "/election/resign", ResignRequest::newBuilder,
                (AuthInfo ai, ResignRequest r, Cancellation c) -> election.resign(ai, r));
            router.post(prefix + "/election/observe").handler(this::observe);
        }
    }

    @SuppressWarnings("unchecked")
    private static <Q extends Message, B extends Message.Builder> Q parse(RoutingContext ctx, Supplier<B> builder) {
        try {
            B b = builder.get();
            JsonGateway.mergeBody(ctx, b);
            return (Q) b.build();
        } catch (InvalidProtocolBufferException | RuntimeException e) {
            JsonGateway.fail(ctx, new StatusException(GrpcStatus.INVALID_ARGUMENT, JsonGateway.parseErrorText(e)));
            return null;
        }
    }

    private <Q extends Message, B extends Message.Builder> void bind(
            Router router, String path, Supplier<B> builder, Call<Q> call) {
        router.post(path).handler(ctx -> {
            Q req = parse(ctx, builder);
            if (req == null) return;
            Cancellation cancel = new Cancellation();
            GatewayStreamLimit.whenClosed(ctx, v -> cancel.cancel());
            callers.of(ctx).compose(ai -> call.apply(ai, req, cancel)).onComplete(ar -> {
                if (cancel.isCancelled() || ctx.response().closed()) return;
                try {
                    if (ar.succeeded()) {
                        ctx.response().putHeader("content-type", "application/json")
                            .end(Buffer.buffer(PRINTER.print(ar.result())));
                    } else {
                        JsonGateway.fail(ctx, GrpcErrors.toStatus(ar.cause()));
                    }
                } catch (InvalidProtocolBufferException e) {
                    JsonGateway.fail(ctx, GrpcErrors.toStatus(e));
                }
            });
        });
    }

    private void observe(RoutingContext ctx) {
        LeaderRequest req = parse(ctx, LeaderRequest::newBuilder);
        if (req == null) return;
        callers.of(ctx).onFailure(e -> JsonGateway.fail(ctx, GrpcErrors.toStatus(e)))
            .onSuccess(ai -> observe(ctx, ai, req));
    }

    private void observe(RoutingContext ctx, AuthInfo ai, LeaderRequest req) {
        HttpServerResponse resp = ctx.response().setChunked(true).putHeader("content-type", "application/json");
        ElectionObserver o = election.observer(ai, req, new ElectionObserver.Sink() {
            @Override
            public void send(LeaderResponse r) {
                if (resp.closed()) return;
                try {
                    resp.write(Buffer.buffer("{\"result\":" + PRINTER.print(r) + "}\n"));
                } catch (InvalidProtocolBufferException | IllegalStateException e) { // IllegalState: gone
                }
            }

            @Override
            public void end() {
                if (!resp.closed()) resp.end();
            }
        });
        GatewayStreamLimit.whenClosed(ctx, v -> o.close());
        resp.exceptionHandler(e -> o.close());
        o.start();
    }
}
