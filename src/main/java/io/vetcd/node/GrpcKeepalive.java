package io.vetcd.node;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameListenerDecorator;
import io.vertx.core.http.HttpConnection;
import io.vetcd.config.MemberConfig;
import io.vertx.core.net.impl.ConnectionBase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * gRPC keepalive on a client connection, as grpc-go's server transport does it for etcd's plaintext
 * client listeners (etcd 3.4 serves TLS clients through Go's net/http, which has neither):
 *
 * <ul>
 *   <li><b>enforcement</b> ({@code --grpc-keepalive-min-time}, grpc-go's EnforcementPolicy with
 *       PermitWithoutStream false): a client PING that comes sooner than the minimum time after the
 *       previous one (2 hours when the connection has no active stream) is a strike, unless the server
 *       sent headers or data since the previous ping; the third strike gets GOAWAY ENHANCE_YOUR_CALM
 *       "too_many_pings" and the connection is closed;</li>
 *   <li><b>pings</b> ({@code --grpc-keepalive-interval}, {@code --grpc-keepalive-timeout}): after an
 *       interval without anything read the server sends a PING; if nothing is read for the timeout
 *       after it, the connection is closed.</li>
 * </ul>
 *
 * Everything runs on the connection's Netty event loop. Like {@link SchemeInAuthorityFix} it reaches
 * into Vert.x's connection type for the Netty pipeline.
 */
final class GrpcKeepalive extends ChannelDuplexHandler {
    private static final Logger log = LoggerFactory.getLogger(GrpcKeepalive.class);
    /** grpc-go's maxPingStrikes and defaultPingTimeout, and its defaults when etcd passes nothing. */
    static final int MAX_PING_STRIKES = 2;
    static final long PING_WITHOUT_STREAM_NANOS = TimeUnit.HOURS.toNanos(2);
    static final long DEFAULT_MIN_TIME_NANOS = TimeUnit.MINUTES.toNanos(5);
    static final long DEFAULT_INTERVAL_NANOS = TimeUnit.HOURS.toNanos(2);
    static final long DEFAULT_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(20);
    private static final byte FRAME_DATA = 0;
    private static final byte FRAME_HEADERS = 1;

    /** What etcd hands grpc-go: the policy only if min-time > 0, the parameters only if both are > 0. */
    record Policy(long minTimeNanos, long intervalNanos, long timeoutNanos) {
        static Policy of(MemberConfig m) {
            return of(m.grpcKeepAliveMinTime(), m.grpcKeepAliveInterval(), m.grpcKeepAliveTimeout());
        }

        static Policy of(Duration minTime, Duration interval, Duration timeout) {
            long min = minTime.isZero() || minTime.isNegative() ? DEFAULT_MIN_TIME_NANOS : minTime.toNanos();
            boolean params = interval.toNanos() > 0 && timeout.toNanos() > 0;
            return new Policy(min, params ? interval.toNanos() : DEFAULT_INTERVAL_NANOS,
                params ? timeout.toNanos() : DEFAULT_TIMEOUT_NANOS);
        }
    }

    private final Policy policy;
    private final Http2ConnectionHandler h2;
    private ChannelHandlerContext ctx;
    // enforcement
    private long lastPingAt = Long.MIN_VALUE;
    private int strikes;
    private boolean resetStrikes;
    private boolean calmedDown;
    // server pings
    private long lastRead = System.nanoTime();
    private long prevRead = lastRead;
    private boolean outstandingPing;
    private long timeoutLeft;
    private ScheduledFuture<?> timer;

    private GrpcKeepalive(Policy policy, Http2ConnectionHandler h2) {
        this.policy = policy;
        this.h2 = h2;
    }

    /** Installs keepalive on an HTTP/2 connection; HTTP/1.x connections are left alone. */
    static void install(HttpConnection conn, Policy policy) {
        if (!(conn instanceof ConnectionBase base)) return;
        var pipeline = base.channel().pipeline();
        Http2ConnectionHandler h2 = pipeline.get(Http2ConnectionHandler.class);
        if (h2 == null) return;
        GrpcKeepalive k = new GrpcKeepalive(policy, h2);
        pipeline.addBefore(pipeline.context(h2).name(), "vetcd-grpc-keepalive", k);
        var decoder = h2.decoder();
        decoder.frameListener(new Http2FrameListenerDecorator(decoder.frameListener()) {
            @Override
            public void onPingRead(ChannelHandlerContext c, long data) throws Http2Exception {
                super.onPingRead(c, data);
                k.clientPing();
            }
        });
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        schedule(policy.intervalNanos());
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (timer != null) timer.cancel(false);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (timer != null) timer.cancel(false);
        super.channelInactive(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        lastRead = System.nanoTime();
        super.channelRead(ctx, msg);
    }

    /** grpc-go resets the strikes whenever it writes headers or data; frames start a write here. */
    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
        if (msg instanceof ByteBuf b && b.readableBytes() >= 9) {
            byte type = b.getByte(b.readerIndex() + 3);
            if (type == FRAME_DATA || type == FRAME_HEADERS) resetStrikes = true;
        }
        super.write(ctx, msg, promise);
    }

    /** grpc-go's handlePing, after the ack has been sent. */
    void clientPing() {
        long now = System.nanoTime();
        long previous = lastPingAt;
        lastPingAt = now;
        if (resetStrikes) {
            resetStrikes = false;
            strikes = 0;
            return;
        }
        long allowedAfter = h2.connection().numActiveStreams() < 1 ? PING_WITHOUT_STREAM_NANOS : policy.minTimeNanos();
        if (previous != Long.MIN_VALUE && now - previous < allowedAfter) strikes++;
        if (strikes > MAX_PING_STRIKES && !calmedDown) {
            calmedDown = true;
            log.warn("transport: Got too many pings from the client {}, closing the connection.", ctx.channel().remoteAddress());
            int last = h2.connection().remote().lastStreamCreated();
            h2.goAway(ctx, last, Http2Error.ENHANCE_YOUR_CALM.code(),
                Unpooled.copiedBuffer("too_many_pings", StandardCharsets.US_ASCII), ctx.newPromise());
            ctx.flush();
            ctx.close();
        }
    }

    private void schedule(long nanos) {
        timer = ctx.executor().schedule(this::keepaliveTick, Math.max(nanos, 1), TimeUnit.NANOSECONDS);
    }

    /** grpc-go's keepalive loop, one timer expiry at a time. */
    private void keepaliveTick() {
        if (!ctx.channel().isActive()) return;
        long now = System.nanoTime();
        if (lastRead > prevRead) {
            // read activity since the last look: next look one interval after it
            outstandingPing = false;
            prevRead = lastRead;
            schedule(lastRead + policy.intervalNanos() - now);
            return;
        }
        if (outstandingPing && timeoutLeft <= 0) {
            log.info("transport: closing server transport due to idleness ({}).", ctx.channel().remoteAddress());
            ctx.close();
            return;
        }
        if (!outstandingPing) {
            h2.encoder().writePing(ctx, false, 0L, ctx.newPromise());
            ctx.flush();
            timeoutLeft = policy.timeoutNanos();
            outstandingPing = true;
        }
        long sleep = Math.min(policy.intervalNanos(), timeoutLeft);
        timeoutLeft -= sleep;
        schedule(sleep);
    }
}
