package io.vetcd.node;

import io.vertx.core.impl.transports.NioTransport;
import io.vertx.core.impl.transports.TransportInternal;
import io.vertx.core.impl.transports.TransportLoader;
import io.vertx.core.transport.Transport;
import io.vetcd.config.EtcdConfig;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/**
 * Which of Netty's transports carries a member's network I/O ({@code --vertx-transport}), and a
 * proxy's or gateway's ({@code etcd grpc-proxy|gateway start}, which always take {@link #auto}). The
 * event loops were a third to two fifths of a put's CPU on Java's NIO selector; Netty's native epoll
 * transport drives the same sockets with fewer system calls and less Java work per read, write and
 * wake-up (README, "Network transport"). {@code auto} takes epoll where its native library loads
 * (Linux on x86_64 in this build), else NIO. io_uring measured faster still but is only taken when
 * asked for: Netty has had reports of io_uring reads that stall a connection where epoll does not
 * (netty/netty#17049, after the Netty this Vert.x ships), and a stalled HTTP/2 connection is every
 * call on it. Vert.x's io_uring transport has no unix-domain sockets, so io_uring with a unix or
 * unixs URL configured is refused.
 */
public final class NetworkTransport {
    private NetworkTransport() {}

    /**
     * The transport for {@code asked} (auto, io_uring, epoll, nio); an explicit one that cannot run
     * here is refused. Vert.x's {@code Transport} constants are not touched: reading any of them
     * loads every transport's native library, io_uring's probe of the kernel included.
     */
    static Transport choose(String asked, boolean unixSockets) {
        return switch (asked) {
            case "nio" -> nio();
            case "epoll" -> usable(TransportLoader.epoll(), "epoll");
            case "io_uring" -> {
                if (unixSockets) throw new IllegalArgumentException("--vertx-transport io_uring cannot serve the unix socket URLs configured; use epoll or auto");
                yield usable(TransportLoader.io_uring(), "io_uring");
            }
            default -> {
                Transport epoll = TransportLoader.epoll();
                yield epoll != null && epoll.available() ? epoll : nio();
            }
        };
    }

    /** What {@code auto} takes: epoll where Netty's native library loads, else NIO. */
    public static Transport auto() {
        return choose("auto", false);
    }

    /** A Vert.x with Vert.x's default sizes on {@link #auto}, for the proxy and gateway commands. */
    public static io.vertx.core.Vertx vertx() {
        return io.vertx.core.Vertx.builder().withTransport(auto()).build();
    }

    private static Transport nio() {
        return new TransportInternal("nio", true, null, NioTransport.INSTANCE);
    }

    /** Whether the configuration names a unix-domain socket anywhere a member listens or dials. */
    static boolean usesUnixSockets(EtcdConfig cfg) {
        List<URI> urls = new ArrayList<>();
        urls.addAll(cfg.member().listenPeerUrls());
        urls.addAll(cfg.member().listenClientUrls());
        urls.addAll(cfg.member().listenMetricsUrls());
        urls.addAll(cfg.cluster().initialAdvertisePeerUrls());
        urls.addAll(cfg.cluster().advertiseClientUrls());
        cfg.cluster().initialCluster().values().forEach(urls::addAll);
        return urls.stream().anyMatch(u -> u.getScheme() != null && u.getScheme().startsWith("unix"));
    }

    private static Transport usable(Transport t, String name) {
        if (t == null) throw new IllegalArgumentException("--vertx-transport " + name + " is not in this build");
        if (!t.available()) {
            Throwable why = t.unavailabilityCause();
            throw new IllegalArgumentException("--vertx-transport " + name + " cannot run here: " + (why == null ? "unavailable" : why.toString()));
        }
        return t;
    }
}
