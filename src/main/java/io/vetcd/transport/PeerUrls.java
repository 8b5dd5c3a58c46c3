package io.vetcd.transport;

import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;

import java.net.URI;

/**
 * Where a peer URL points, as etcd's pkg/transport reads it: {@code http}/{@code https} are TCP;
 * {@code unix://name:port} and {@code unixs://name:port} are a Unix domain socket whose file is
 * named by the whole authority ({@code name:port}, relative to the working directory), spoken
 * to in plain HTTP or, for {@code unixs}, HTTPS. Vert.x 5 runs domain sockets on the JDK's
 * NIO transport (Java 16+), so no native transport is needed.
 */
public final class PeerUrls {
    private PeerUrls() {}

    public static boolean isUnix(URI url) {
        return "unix".equals(url.getScheme()) || "unixs".equals(url.getScheme());
    }

    public static boolean isTls(URI url) {
        return "https".equals(url.getScheme()) || "unixs".equals(url.getScheme());
    }

    /** The socket file of a unix URL: the authority as written. */
    public static String socketPath(URI url) {
        return url.getRawAuthority();
    }

    /** The address to listen on or dial. */
    public static SocketAddress address(URI url) {
        return isUnix(url) ? SocketAddress.domainSocketAddress(socketPath(url)) : SocketAddress.inetSocketAddress(url.getPort(), url.getHost());
    }

    /** Points a request at the peer: host and port (for the Host header, as Go sends it), TLS, and the socket to dial. */
    static RequestOptions target(RequestOptions o, URI url) {
        o.setHost(url.getHost()).setPort(url.getPort() < 0 ? (isTls(url) ? 443 : 80) : url.getPort()).setSsl(isTls(url));
        if (isUnix(url)) o.setServer(address(url));
        return o;
    }
}
