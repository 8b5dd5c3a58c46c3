package io.vetcd.node;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.impl.Http1xUpgradeToH2CHandler;
import io.vertx.core.net.impl.ConnectionBase;

import java.nio.channels.ClosedChannelException;
import java.util.ArrayDeque;

/**
 * Makes a plain-HTTP upgrade to HTTP/2 ({@code Upgrade: h2c}, what the JDK's {@code HttpClient} sends by
 * default, and {@code curl --http2}) safe for the client.
 *
 * <p>Vert.x answers the upgrade request with {@code 101 Switching Protocols} and its SETTINGS, and then
 * serves the request as HTTP/2 stream 1 at once: when the answer is ready before the client has read the
 * 101 (a /metrics page rendered on a worker, a range, on a loaded machine), up to a whole flow-control
 * window of HTTP/2 frames (64 KiB) lands in the client's socket buffer right behind the 101. Clients read
 * that tail with their HTTP/1.1 reader and must hand it over to their HTTP/2 reader; curl 7.88 refuses a
 * tail larger than its 32 KiB buffer ("connection buffer size is too small to store data following HTTP
 * Upgrade response header"), and the JDK 17 client now and then loses part of it and reads the rest of the
 * page as frame headers ("Frame type(114) length(2239591) exceeds MAX_FRAME_SIZE").
 *
 * <p>This handler, put in front of the HTTP/2 codec of an upgraded connection only, holds every write that
 * comes after the 101 and the server's SETTINGS until the client's first HTTP/2 bytes (its connection
 * preface) arrive. A client sends the preface only after it has read the 101 and switched to HTTP/2, so
 * from then on the answer reaches its HTTP/2 reader only. At most one flow-control window is held (the
 * client's connection window opens after its preface), for one round trip; nothing waits on a timer, and
 * connections that did not upgrade (h2c with prior knowledge, HTTP/1.1, TLS) never see this handler.
 *
 * <p>Like {@link SchemeInAuthorityFix} it reaches into Vert.x's internal types (the connection's Netty
 * pipeline and the upgrade handler's class) because Vert.x offers no hook for the upgrade.
 */
public final class H2cUpgradeHold extends ChannelDuplexHandler {
    static final String NAME = "vetcd-h2c-upgrade-hold";

    private final ArrayDeque<Object> heldMessages = new ArrayDeque<>();
    private final ArrayDeque<ChannelPromise> heldPromises = new ArrayDeque<>();
    private boolean released;

    private H2cUpgradeHold() {}

    /**
     * Installs the hold on a connection being upgraded from HTTP/1.1 to h2c; Vert.x calls a server's connection
     * handler for it in the middle of the upgrade, while its upgrade handler is still in the pipeline. Any
     * other connection is left alone.
     */
    public static void install(HttpConnection conn) {
        if (!(conn instanceof ConnectionBase base)) return;
        ChannelPipeline pipeline = base.channel().pipeline();
        if (pipeline.get(Http1xUpgradeToH2CHandler.class) == null) return; // not an upgrade in progress
        Http2ConnectionHandler h2 = pipeline.get(Http2ConnectionHandler.class);
        if (h2 == null || pipeline.get(NAME) != null) return;
        pipeline.addBefore(pipeline.context(h2).name(), NAME, new H2cUpgradeHold());
    }

    /** Before the upgrade completes, the request arrives as HTTP/2 frame objects; the client's preface as bytes. */
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (!released && msg instanceof ByteBuf) {
            release(ctx);
            ctx.fireChannelRead(msg);
            if (!ctx.isRemoved()) ctx.pipeline().remove(this); // (a close while reading may have removed it)
            return;
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (released) {
            ctx.write(msg, promise);
            return;
        }
        heldMessages.add(msg);
        heldPromises.add(promise);
    }

    /** Flushes what is already past this handler (the 101 and the server's SETTINGS); held writes stay. */
    @Override
    public void flush(ChannelHandlerContext ctx) {
        ctx.flush();
    }

    private void release(ChannelHandlerContext ctx) {
        released = true;
        boolean any = !heldMessages.isEmpty();
        while (!heldMessages.isEmpty()) ctx.write(heldMessages.poll(), heldPromises.poll());
        if (any) ctx.flush();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        drop();
        super.channelInactive(ctx);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (!released) drop(); // removed without the client's preface (channel closing): nothing to send
    }

    private void drop() {
        ClosedChannelException closed = null;
        while (!heldMessages.isEmpty()) {
            ReferenceCountUtil.release(heldMessages.poll());
            if (closed == null) closed = new ClosedChannelException();
            heldPromises.poll().tryFailure(closed);
        }
    }
}
