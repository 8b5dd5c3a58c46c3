package io.vetcd.node;

import io.netty.handler.flush.FlushConsolidationHandler;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.net.impl.ConnectionBase;

/**
 * One socket write for the answers that become ready together. Vert.x flushes an HTTP/2
 * connection after every response it writes outside a read, so a batch of applied puts
 * answered on one connection cost one write syscall each; grpc-go's writer (etcd's) sends
 * whatever is queued in one go. Netty's flush consolidation defers those flushes to one task
 * queued behind the responses already waiting on the event loop (and flushes at once after
 * 256), so nothing waits for a timer and a lone answer goes out on the next loop turn.
 *
 * <p>It reaches into Vert.x's internal connection type for the Netty pipeline, as the keepalive does.
 */
final class ResponseFlushes {
    private static final int FLUSH_AT_LEAST_EVERY = 256;

    private ResponseFlushes() {}

    static void install(HttpConnection conn) {
        if (!(conn instanceof ConnectionBase base)) return;
        // at the tail: Vert.x flushes through the channel, so the flush meets this before the HTTP/2 codec
        base.channel().pipeline().addLast("vetcd-response-flushes", new FlushConsolidationHandler(FLUSH_AT_LEAST_EVERY, true));
    }
}
