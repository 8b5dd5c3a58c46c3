package io.vetcd.node;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameListenerDecorator;
import io.netty.handler.codec.http2.Http2Headers;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.net.impl.ConnectionBase;

/**
 * etcdctl's per-endpoint commands (endpoint status, hashkv) dial with a
 * "passthrough:///http://host:port" target, so grpc-go sends the whole URL as
 * the HTTP/2 :authority. etcd's Go server accepts that; Vert.x rejects the
 * stream as malformed (RST_STREAM PROTOCOL_ERROR). This strips the scheme from
 * :authority before Vert.x sees the headers, and changes nothing else.
 *
 * <p>It reaches into Vert.x's internal connection type to find the Netty
 * pipeline: there is no public hook for header rewriting.
 */
public final class SchemeInAuthorityFix {
    private SchemeInAuthorityFix() {}

    public static void install(HttpConnection conn) {
        if (!(conn instanceof ConnectionBase base)) return;
        Http2ConnectionHandler h2 = base.channel().pipeline().get(Http2ConnectionHandler.class);
        if (h2 == null) return; // HTTP/1.x connection
        var decoder = h2.decoder();
        decoder.frameListener(new Http2FrameListenerDecorator(decoder.frameListener()) {
            @Override
            public void onHeadersRead(ChannelHandlerContext ctx, int streamId, Http2Headers headers, int padding,
                                      boolean endOfStream) throws Http2Exception {
                super.onHeadersRead(ctx, streamId, fix(headers), padding, endOfStream);
            }

            @Override
            public void onHeadersRead(ChannelHandlerContext ctx, int streamId, Http2Headers headers, int streamDependency,
                                      short weight, boolean exclusive, int padding, boolean endOfStream) throws Http2Exception {
                super.onHeadersRead(ctx, streamId, fix(headers), streamDependency, weight, exclusive, padding, endOfStream);
            }
        });
    }

    private static Http2Headers fix(Http2Headers headers) {
        CharSequence authority = headers.authority();
        if (authority != null) {
            String a = authority.toString();
            int i = a.indexOf("://");
            if (i >= 0) {
                String rest = a.substring(i + 3);
                int slash = rest.indexOf('/');
                headers.authority(slash >= 0 ? rest.substring(0, slash) : rest);
            }
        }
        return headers;
    }
}
