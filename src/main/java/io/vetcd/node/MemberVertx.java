package io.vetcd.node;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vetcd.config.VertxConfig;

/**
 * The one Vert.x a member runs on. vertx-config needs a Vert.x to read the configuration, and the
 * configuration sizes the member's Vert.x (--vertx-event-loop-pool-size, --vertx-worker-pool-size),
 * so the launcher makes it before reading the configuration, with the sizes' defaults (the number
 * of cores), and keeps it unless the configuration asks for other sizes. A second, throw-away
 * instance only for reading the configuration doubled the threads, selectors and file cache a start
 * set up before its first answer.
 */
final class MemberVertx {
    private MemberVertx() {}

    /** Sized as the configuration's defaults size it. */
    static Vertx withDefaultSizes() {
        return Vertx.vertx(options(defaultSize(), defaultSize()));
    }

    /**
     * {@code made} (from {@link #withDefaultSizes}) when the configuration keeps the default sizes;
     * otherwise a new Vert.x of the configured sizes, and {@code made} is closed.
     */
    static Vertx sizedFor(Vertx made, VertxConfig cfg) {
        if (cfg.eventLoopPoolSize() == defaultSize() && cfg.workerPoolSize() == defaultSize()) return made;
        made.close();
        return Vertx.vertx(options(cfg.eventLoopPoolSize(), cfg.workerPoolSize()));
    }

    /** The flags' default (FlagTable): one thread per core. */
    static int defaultSize() {
        return Runtime.getRuntime().availableProcessors();
    }

    static VertxOptions options(int eventLoops, int workers) {
        return new VertxOptions().setEventLoopPoolSize(eventLoops).setWorkerPoolSize(workers);
    }
}
