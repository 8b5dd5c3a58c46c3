package io.vetcd.node;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.transport.Transport;
import io.vetcd.config.EtcdConfig;
import io.vetcd.config.VertxConfig;

/**
 * The one Vert.x a member runs on. vertx-config needs a Vert.x to read the configuration, and the
 * configuration sizes the member's Vert.x (--vertx-event-loop-pool-size, --vertx-worker-pool-size)
 * and picks its transport (--vertx-transport, {@link NetworkTransport}), so the launcher makes it
 * before reading the configuration, with the defaults (one thread per core, the automatic
 * transport), and keeps it unless the configuration asks for something else. A second, throw-away
 * instance only for reading the configuration doubled the threads, selectors and file cache a start
 * set up before its first answer.
 */
final class MemberVertx {
    private MemberVertx() {}

    /** Sized as the configuration's defaults size it, on the automatic transport. */
    static Vertx withDefaults() {
        return build(defaultSize(), defaultSize(), NetworkTransport.auto());
    }

    /**
     * {@code made} (from {@link #withDefaults}) when the configuration keeps its sizes and transport;
     * otherwise a new Vert.x as configured, and {@code made} is closed. An explicit transport that
     * cannot run here throws IllegalArgumentException (and {@code made} is left to the caller).
     */
    static Vertx configuredFor(Vertx made, EtcdConfig cfg) {
        VertxConfig v = cfg.vertx();
        Transport transport = NetworkTransport.choose(v.transport(), NetworkTransport.usesUnixSockets(cfg));
        org.slf4j.LoggerFactory.getLogger("etcdmain").info("network transport: {} (--vertx-transport {})", transport.name(), v.transport());
        boolean sameTransport = ((VertxInternal) made).transport().getClass() == transport.implementation().getClass();
        if (sameTransport && v.eventLoopPoolSize() == defaultSize() && v.workerPoolSize() == defaultSize()) return made;
        made.close();
        return build(v.eventLoopPoolSize(), v.workerPoolSize(), transport);
    }

    /** The flags' default (FlagTable): one thread per core. */
    static int defaultSize() {
        return Runtime.getRuntime().availableProcessors();
    }

    private static Vertx build(int eventLoops, int workers, Transport transport) {
        VertxOptions o = new VertxOptions().setEventLoopPoolSize(eventLoops).setWorkerPoolSize(workers);
        return Vertx.builder().with(o).withTransport(transport).build();
    }
}
