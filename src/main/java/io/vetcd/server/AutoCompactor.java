package io.vetcd.server;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vetcd.pb.etcdserver.CompactionRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayDeque;

/**
 * etcd 3.4's auto-compaction (etcdserver/api/v3compactor). Runs on every member but acts only
 * while it leads (etcd pauses the others' compactors), and compacts through raft with an ordinary
 * Compaction request, so every member compacts at the same point of the log.
 * <ul>
 * <li>periodic, retention P: the revision is sampled every min(P, 1h)/10; once P has passed since
 *     start (then every min(P, 1h) after the last success) it compacts at the oldest sample kept,
 *     the revision of about P ago; a failure is retried at the next sample;</li>
 * <li>revision, retention N: every 5 minutes, compacts at current − N unless that is ≤ 0 or the
 *     revision it compacted at last time.</li>
 * </ul>
 * Timers run on an event loop; proposing is asynchronous, so nothing blocks it.
 */
public final class AutoCompactor {
    private static final Logger log = LoggerFactory.getLogger("compactor");
    static final Duration REVISION_INTERVAL = Duration.ofMinutes(5);

    /** What the compactor needs of the member. */
    public interface Target {
        long currentRevision();

        boolean isLeader();

        Future<?> compact(long revision);
    }

    private final Vertx vertx;
    private final Target target;
    private final boolean periodic;
    private final Duration period;   // periodic mode
    private final long retention;    // revision mode
    private final ArrayDeque<Long> revs = new ArrayDeque<>();
    private long timer = -1;
    private boolean stopped;
    // periodic state
    private long lastSuccessNanos;
    private Duration baseInterval;
    // revision state
    private long previous;

    private AutoCompactor(Vertx vertx, Target target, boolean periodic, Duration period, long retention) {
        this.vertx = vertx;
        this.target = target;
        this.periodic = periodic;
        this.period = period;
        this.retention = retention;
    }

    public static AutoCompactor periodic(Vertx vertx, Target target, Duration retention) {
        return new AutoCompactor(vertx, target, true, retention, 0);
    }

    public static AutoCompactor revision(Vertx vertx, Target target, long retention) {
        return new AutoCompactor(vertx, target, false, Duration.ZERO, retention);
    }

    public static AutoCompactor forServer(Vertx vertx, EtcdServer server, String mode, Duration period, long revisions) {
        Target t = new Target() {
            @Override public long currentRevision() { return server.store().currentRevision(); }

            @Override public boolean isLeader() {
                ServerCore c = server.core();
                return c != null && c.isLeader();
            }

            @Override public Future<?> compact(long revision) {
                // the leader's own compaction needs no caller's permission: it acts as root
                return server.compact(server.rootInfo(), CompactionRequest.newBuilder().setRevision(revision).build());
            }
        };
        return "revision".equals(mode) ? revision(vertx, t, revisions) : periodic(vertx, t, period);
    }

    /** min(P, 1h): how often a periodic compactor compacts once the first period has passed. */
    Duration compactInterval() {
        return period.compareTo(Duration.ofHours(1)) > 0 ? Duration.ofHours(1) : period;
    }

    /** A tenth of the compact interval: how often the revision is sampled (and a failure retried). */
    Duration retryInterval() {
        return compactInterval().dividedBy(10);
    }

    /** Samples kept: one per retry interval over the retention, plus the current one. */
    int retentions() {
        return (int) (period.toNanos() / Math.max(1, retryInterval().toNanos())) + 1;
    }

    public synchronized void start() {
        if (periodic) {
            lastSuccessNanos = System.nanoTime();
            baseInterval = period;
            sampleAndWait();
        } else {
            schedule(REVISION_INTERVAL);
        }
    }

    public synchronized void stop() {
        stopped = true;
        if (timer >= 0) vertx.cancelTimer(timer);
        timer = -1;
    }

    private void schedule(Duration d) {
        if (stopped) return;
        timer = vertx.setTimer(Math.max(1, d.toMillis()), id -> {
            synchronized (this) {
                timer = -1;
                if (periodic) periodicStep();
                else revisionStep();
            }
        });
    }

    private void sampleAndWait() {
        revs.addLast(target.currentRevision());
        while (revs.size() > retentions()) revs.removeFirst(); // the first is always the revision of a period ago
        schedule(retryInterval());
    }

    private void periodicStep() {
        if (!target.isLeader()) { // paused, as etcd pauses a follower's compactor; it keeps sampling
            sampleAndWait();
            return;
        }
        if (System.nanoTime() - lastSuccessNanos < baseInterval.toNanos()) {
            sampleAndWait();
            return;
        }
        if (baseInterval.equals(period)) baseInterval = compactInterval();
        long rev = revs.getFirst();
        log.info("Starting auto-compaction at revision {} (retention: {})", rev, io.vetcd.config.GoDuration.format(period));
        target.compact(rev).onComplete(ar -> {
            synchronized (this) {
                if (ar.succeeded() || isCompacted(ar.cause())) {
                    log.info("Finished auto-compaction at revision {}", rev);
                    lastSuccessNanos = System.nanoTime();
                } else {
                    log.info("Failed auto-compaction at revision {} ({})", rev, ar.cause().getMessage());
                    log.info("Retry after {}", io.vetcd.config.GoDuration.format(retryInterval()));
                }
                sampleAndWait();
            }
        });
    }

    private void revisionStep() {
        if (!target.isLeader()) {
            schedule(REVISION_INTERVAL);
            return;
        }
        long rev = target.currentRevision() - retention;
        if (rev <= 0 || rev == previous) {
            schedule(REVISION_INTERVAL);
            return;
        }
        log.info("Starting auto-compaction at revision {} (retention: {} revisions)", rev, retention);
        target.compact(rev).onComplete(ar -> {
            synchronized (this) {
                if (ar.succeeded() || isCompacted(ar.cause())) {
                    previous = rev;
                    log.info("Finished auto-compaction at revision {}", rev);
                } else {
                    log.info("Failed auto-compaction at revision {} ({})", rev, ar.cause().getMessage());
                    log.info("Retry after {}", io.vetcd.config.GoDuration.format(REVISION_INTERVAL));
                }
                schedule(REVISION_INTERVAL);
            }
        });
    }

    /** etcd counts "already compacted" as done. */
    private static boolean isCompacted(Throwable t) {
        return t instanceof EtcdException ee && ee.error() == EtcdError.COMPACTED;
    }
}
