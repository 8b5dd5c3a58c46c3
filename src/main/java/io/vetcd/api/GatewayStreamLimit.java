package io.vetcd.api;

import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * etcd's JSON gateway reaches the member's gRPC server over one client connection, so at most
 * {@code --max-concurrent-streams} gateway requests run at a time (a gateway watch holds its
 * stream until the client leaves) and the next ones wait for a stream to end, as HTTP/2 makes a
 * client wait. The same here: one limit per member, shared by every client listener's event loop.
 * A waiting request is admitted on its own context in arrival order; one whose client left while
 * waiting gives its turn on.
 */
public final class GatewayStreamLimit implements Handler<RoutingContext> {
    private static final String CLOSE_HANDLERS = GatewayStreamLimit.class.getName() + ".onClose";
    private static final Map<Object, GatewayStreamLimit> PER_MEMBER = new WeakHashMap<>();

    private final long max;
    private final ArrayDeque<Waiting> waiting = new ArrayDeque<>();
    private long inUse;

    private GatewayStreamLimit(long max) {
        this.max = max;
    }

    /** The limit of one member (keyed by its server object), created by the first listener that asks. */
    public static GatewayStreamLimit of(Object member, long maxConcurrentStreams) {
        synchronized (PER_MEMBER) {
            return PER_MEMBER.computeIfAbsent(member, m -> new GatewayStreamLimit(maxConcurrentStreams));
        }
    }

    private record Waiting(RoutingContext ctx, Context context) {}

    @Override
    public void handle(RoutingContext ctx) {
        boolean admitted;
        // a few field updates under the lock: event loops of several listeners share this limit
        synchronized (this) {
            admitted = inUse < max;
            if (admitted) inUse++;
            else waiting.add(new Waiting(ctx, Vertx.currentContext()));
        }
        if (admitted) {
            admit(ctx);
        } else {
            // hold the body back until admitted: the body handler further on must still see it
            ctx.request().pause();
        }
    }

    private void admitWaiting(RoutingContext ctx) {
        admit(ctx);
        ctx.request().resume();
    }

    private void admit(RoutingContext ctx) {
        if (ctx.response().closed() || ctx.response().ended()) {
            release();
            return;
        }
        boolean[] released = {false};
        Handler<Void> once = v -> {
            if (!released[0]) {
                released[0] = true;
                release();
            }
        };
        ctx.response().endHandler(once);
        List<Handler<Void>> onClose = new ArrayList<>();
        onClose.add(once);
        ctx.put(CLOSE_HANDLERS, onClose);
        ctx.response().closeHandler(v -> onClose.forEach(h -> h.handle(null)));
        ctx.next();
    }

    /**
     * Runs {@code h} when the client goes away. A response has one close handler, which this limit
     * needs to give the stream back, so gateway handlers add theirs here rather than replace it.
     */
    public static void whenClosed(RoutingContext ctx, Handler<Void> h) {
        List<Handler<Void>> onClose = ctx.get(CLOSE_HANDLERS);
        if (onClose != null) onClose.add(h);
        else ctx.response().closeHandler(h); // not behind the limit (a route mounted elsewhere)
    }

    private void release() {
        Waiting next;
        synchronized (this) {
            next = waiting.poll();
            if (next == null) inUse--;
        }
        // the stream passes straight to the next waiter, on its own event loop
        if (next != null) next.context().runOnContext(v -> admitWaiting(next.ctx()));
    }
}
