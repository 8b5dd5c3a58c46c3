package io.vetcd.node;

import io.netty.channel.epoll.Epoll;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.transport.Transport;
import io.vetcd.config.ConfigException;
import io.vetcd.config.ConfigLoader;
import io.vetcd.config.EtcdConfig;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The launcher's one Vert.x: the one that read the configuration, unless the configuration sizes it
 * otherwise or asks for another transport (--vertx-transport).
 */
class MemberVertxTest {

    @Test
    void theVertxThatReadTheConfigurationRunsTheMemberWithDefaults() {
        Vertx made = MemberVertx.withDefaults();
        try {
            EtcdConfig cfg = ConfigLoader.loadSync(made, List.of("--name", "a"), Map.of());
            assertSame(made, MemberVertx.configuredFor(made, cfg));
            assertEquals(Runtime.getRuntime().availableProcessors(), loops(made));
        } finally {
            made.close().await();
        }
    }

    @Test
    void otherPoolSizesGetAVertxOfTheirOwn() {
        Vertx made = MemberVertx.withDefaults();
        int other = MemberVertx.defaultSize() + 1;
        Vertx sized = MemberVertx.configuredFor(made, load(made, "--vertx-event-loop-pool-size", String.valueOf(other)));
        try {
            assertNotSame(made, sized);
            assertEquals(other, loops(sized), "--vertx-event-loop-pool-size");
        } finally {
            sized.close().await();
        }
    }

    @Test
    void onLinuxTheDefaultIsANativeTransport() {
        assumeTrue(Epoll.isAvailable(), "no native epoll here");
        withDefaults(made -> assertTrue(((VertxInternal) made).isNativeTransportEnabled(), "auto took " + transportOf(made)));
    }

    @Test
    void askedForNioTheMemberRunsOnNio() {
        Vertx made = MemberVertx.withDefaults();
        Vertx nio = MemberVertx.configuredFor(made, load(made, "--vertx-transport", "nio"));
        try {
            assertSame(Transport.NIO.implementation().getClass(), transportOf(nio).getClass());
            if (((VertxInternal) made).isNativeTransportEnabled()) assertNotSame(made, nio);
        } finally {
            nio.close().await();
        }
    }

    @Test
    void unixSocketURLsRunOnTheDefaultTransport() {
        assumeTrue(Epoll.isAvailable(), "no native epoll here");
        Vertx made = MemberVertx.withDefaults();
        Vertx member = MemberVertx.configuredFor(made, load(made, UNIX_PEER));
        try {
            assertSame(made, member);
            assertSame(Transport.EPOLL.implementation().getClass(), transportOf(member).getClass());
        } finally {
            member.close().await();
        }
    }

    /** Vert.x's io_uring transport has no unix-domain sockets. */
    @Test
    void explicitIoUringWithAUnixSocketIsRefused() {
        withDefaults(made -> {
            List<String> args = new ArrayList<>(List.of("--vertx-transport", "io_uring"));
            args.addAll(List.of(UNIX_PEER));
            EtcdConfig cfg = load(made, args.toArray(String[]::new));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MemberVertx.configuredFor(made, cfg));
            assertTrue(e.getMessage().contains("unix socket"), e.getMessage());
        });
    }

    @Test
    void anUnknownTransportIsAConfigurationError() {
        withDefaults(made -> {
            ConfigException e = assertThrows(ConfigException.class, () -> load(made, "--vertx-transport", "kqueue"));
            assertEquals("invalid value \"kqueue\" for --vertx-transport: valid values are auto, io_uring, epoll, nio", e.getMessage());
        });
    }

    /** A member whose peer URL is a unix-domain socket. */
    private static final String[] UNIX_PEER = {"--listen-peer-urls", "unix://localhost:2380.sock",
        "--initial-advertise-peer-urls", "unix://localhost:2380.sock", "--initial-cluster", "default=unix://localhost:2380.sock"};

    /** Runs {@code test} on the launcher's first Vert.x and closes it. */
    private static void withDefaults(java.util.function.Consumer<Vertx> test) {
        Vertx made = MemberVertx.withDefaults();
        try {
            test.accept(made);
        } finally {
            made.close().await();
        }
    }

    private static EtcdConfig load(Vertx vertx, String... args) {
        return ConfigLoader.loadSync(vertx, new ArrayList<>(List.of(args)), Map.of());
    }

    private static io.vertx.core.spi.transport.Transport transportOf(Vertx v) {
        return ((VertxInternal) v).transport();
    }

    private static int loops(Vertx v) {
        int n = 0;
        for (var ignored : ((VertxInternal) v).eventLoopGroup()) n++;
        return n;
    }
}
