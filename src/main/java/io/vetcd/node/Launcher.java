package io.vetcd.node;

import io.vertx.core.Vertx;
import io.vetcd.config.ConfigLoader;
import io.vetcd.config.EtcdConfig;
import io.vetcd.config.FeatureSupport;
import io.vetcd.config.LogSetup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * {@code java -jar node-fat.jar -conf conf/etcd.json} or with etcd's own flags.
 * Loads and validates the config (vertx-config: file, then ETCD_* env, then
 * flags), sets up logging, starts the member, and stops it cleanly on SIGTERM.
 */
public final class Launcher {
    private Launcher() {}

    public static void main(String[] args) {
        // Netty 4.2's buffer allocator registers JFR events on its first chunk unless told not to: that
        // loads the JFR framework and generates its event classes (~80 classes, bytecode generation) on
        // an event loop during start, with nothing recording them. -Dio.netty.jfr.enabled=true brings it back.
        if (System.getProperty("io.netty.jfr.enabled") == null) System.setProperty("io.netty.jfr.enabled", "false");
        if (io.vetcd.proxy.SubcommandLauncher.handles(args)) { // etcd gateway|grpc-proxy start ...
            io.vetcd.proxy.SubcommandLauncher.main(args);
            return;
        }
        // logging first: a logger asked for by two threads while SLF4J starts makes it print a warning
        org.slf4j.LoggerFactory.getILoggerFactory();
        StartupPreload.begin();
        EtcdConfig cfg;
        // the member's own Vert.x reads the configuration (MemberVertx: one instance, not two)
        Vertx made = MemberVertx.withDefaults();
        try {
            cfg = ConfigLoader.loadSync(made, List.of(args), System.getenv());
        } catch (RuntimeException e) {
            made.close();
            System.exit(ConfigLoader.reportFailure(e, System.out, System.err));
            return;
        }
        if (!cfg.logging().logPackageLevels().isEmpty()) { // etcd 3.4's line, before any log line
            System.err.println("[WARNING] Deprecated '--log-package-levels=" + cfg.logging().logPackageLevels()
                + "' flag is set; use '--logger=zap' flag instead");
        }
        LogSetup.apply(cfg.logging());
        Logger log = LoggerFactory.getLogger("etcdmain");
        for (String w : cfg.warnings()) log.warn(w);
        for (String w : FeatureSupport.warnings(cfg)) log.warn(w);
        if (cfg.proxy().isEnabled()) { // proxy: on|readonly runs a proxy instead of a member, as etcd does
            made.close();
            runProxy(cfg, log);
            return;
        }

        Vertx vertx;
        try {
            vertx = MemberVertx.configuredFor(made, cfg);
        } catch (IllegalArgumentException e) { // an explicit --vertx-transport that cannot run here
            made.close();
            log.error(e.getMessage());
            System.exit(1);
            return;
        }
        try {
            VetcdNode node = VetcdNode.create(vertx, cfg);
            StopOnce stopOnce = new StopOnce(node);
            // etcd's words and exit status for a removed member: its server stops, etcdmain exits 0. Registered
            // before the start: a member removed while it was down learns it from its peers before a leader is known.
            java.util.concurrent.atomic.AtomicBoolean removed = new java.util.concurrent.atomic.AtomicBoolean();
            node.onRemoved(how -> {
                if (!removed.compareAndSet(false, true)) return;
                Logger server = LoggerFactory.getLogger("etcdserver");
                server.error("the member has been permanently removed from the cluster");
                server.info("the data-dir used by this member must be removed.");
                log.info("removal learnt: {}", how);
                new Thread(() -> {
                    stopOnce.await();
                    System.exit(0);
                }, "vetcd-removed").start();
            });
            node.start().await();
            // etcd's raft loop and backend treat a failed WAL save/fsync or a failed backend commit as fatal
            // (lg.Fatal: exit 1, no clean-up): the member must not go on, and a supervisor restarts it once the
            // disk is fixed. Halt, not exit: the shutdown hook would try to flush a backend on the failed disk.
            node.onFatal(t -> {
                log.error("member stops: storage failed ({}); exiting", t.toString());
                System.err.flush();
                System.out.flush();
                Runtime.getRuntime().halt(1);
            });
            Runtime.getRuntime().addShutdownHook(new Thread(stopOnce::await, "vetcd-shutdown"));
            // etcd stops cleanly on SIGINT/SIGTERM; the JVM would report 130/143, which supervisors
            // and etcd's own test harness read as a crash. Exit 0 (the hook above still stops the member).
            for (String sig : new String[] {"INT", "TERM"}) {
                try {
                    sun.misc.Signal.handle(new sun.misc.Signal(sig), s -> System.exit(0));
                } catch (IllegalArgumentException ignored) {
                    // the signal is ignored in this process (e.g. started in the background): keep it so
                }
            }
        } catch (Throwable t) {
            if (t instanceof io.vetcd.server.CorruptionCheck.Detected) {
                log.error(t.getMessage()); // etcd's own words: "<id> found data inconsistency with peers"
            } else {
                log.error("failed to start member: {}", t.getMessage(), t);
            }
            System.exit(1);
        }
    }

    private static void runProxy(EtcdConfig cfg, Logger log) {
        Vertx running;
        try {
            running = io.vetcd.proxy.ProxyMode.start(cfg).vertx();
        } catch (RuntimeException e) {
            log.error("failed to start proxy: {}", e.getMessage());
            System.exit(1);
            return;
        }
        io.vetcd.proxy.SubcommandLauncher.runUntilSignalled(running);
    }

    /** The member's stop, run once however many ask (a removal and the shutdown hook both do). */
    private static final class StopOnce {
        private final VetcdNode node;
        private io.vertx.core.Future<Void> stopping;

        StopOnce(VetcdNode node) { this.node = node; }

        void await() {
            io.vertx.core.Future<Void> f;
            synchronized (this) {
                if (stopping == null) stopping = node.stop();
                f = stopping;
            }
            try {
                f.toCompletionStage().toCompletableFuture().get(30, java.util.concurrent.TimeUnit.SECONDS);
            } catch (Exception ignored) {
                // shutting down anyway
            }
        }
    }
}
