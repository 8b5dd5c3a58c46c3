package io.vetcd.server;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vetcd.pb.etcdserver.AlarmRequest;
import io.vetcd.pb.etcdserver.AlarmType;
import io.vetcd.pb.etcdserver.HashKVResponse;
import io.vetcd.pb.internal.InternalRaftRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * etcd's corruption checks, comparing HashKV (which equals etcd's, so etcd and vetcd members compare
 * with each other) across members:
 * <ul>
 *   <li>{@code --experimental-initial-corrupt-check}: before serving, this member's hash at its current
 *   revision is compared with every peer's at that revision (their peer {@code /members/hashkv}, as etcd 3.4.23 asks);
 *   a peer with the same compaction and another hash means this member's data differs, and the start
 *   fails with etcd's "found data inconsistency with peers". Peers that are behind, ahead or
 *   unreachable are logged and skipped.</li>
 *   <li>{@code --experimental-corrupt-check-time}: the leader, every interval, compares its hash with
 *   the followers'; a follower ahead of it, compacted further, or with another hash at the same
 *   compaction, or the leader's own hash changing under an unchanged revision, raises a CORRUPT alarm
 *   through raft (for member 0, as etcd 3.4.23 does: one leader cannot tell which side is wrong), which
 *   stops writes cluster-wide.</li>
 * </ul>
 */
public final class CorruptionCheck {
    private static final Logger log = LoggerFactory.getLogger("etcdserver");

    /** A member's HashKV at a revision (0: its current one). */
    public interface Hashes {
        Future<HashKVResponse> local(long revision);

        Future<HashKVResponse> peer(Member m, long revision);
    }

    private final Vertx vertx;
    private final EtcdServer server;
    private final Hashes hashes;
    private long timer = -1;
    private boolean running;

    public CorruptionCheck(Vertx vertx, EtcdServer server, Hashes hashes) {
        this.vertx = vertx;
        this.server = server;
        this.hashes = hashes;
    }

    /** The start-up check found this member's data differs from a peer's: it must not serve. */
    public static final class Detected extends RuntimeException {
        Detected(String message) { super(message, null, false, false); }
    }

    private record PeerHash(Member member, HashKVResponse resp, Throwable error) { }

    /** The start-up check; fails (the member must not serve) when a peer proves our data differs. */
    public Future<Void> initial(Duration timeout) {
        String id = ClusterIds.hex(server.membership().localId());
        log.info("{} starting initial corruption check with timeout {}...", id,
            io.vetcd.config.GoDuration.format(timeout));
        return hashes.local(0).compose(mine -> peers(mine.getHeader().getRevision()).map(peers -> {
            long rev = mine.getHeader().getRevision();
            int mismatch = 0;
            for (PeerHash p : peers) {
                String peerId = ClusterIds.hex(p.member.id());
                if (p.resp != null) {
                    if (p.resp.getCompactRevision() == mine.getCompactRevision()) {
                        if (p.resp.getHash() != mine.getHash()) {
                            log.error("{}'s hash {} != {}'s hash {} (revision {}, peer revision {}, compact revision {})", id,
                                Integer.toUnsignedString(mine.getHash()), peerId, Integer.toUnsignedString(p.resp.getHash()), rev,
                                p.resp.getHeader().getRevision(), mine.getCompactRevision());
                            mismatch++;
                        }
                    } else {
                        log.warn("{} cannot check hash of peer({}): peer has a different compact revision {} (revision:{})", id,
                            peerId, p.resp.getCompactRevision(), rev);
                    }
                } else {
                    log.warn("{} cannot check the hash of peer({}) at revision {}: {}", id, p.member.peerUrls(), rev,
                        String.valueOf(p.error == null ? "no answer" : p.error.getMessage()));
                }
            }
            if (mismatch > 0) throw new Detected(String.format("%016x found data inconsistency with peers", server.membership().localId()));
            log.info("{} succeeded on initial corruption checking: no corruption", id);
            return null;
        }));
    }

    /** The leader's periodic check. */
    public void startPeriodic(Duration interval) {
        if (interval.isZero() || interval.isNegative()) return;
        log.info("enabled corruption checking with {} interval", io.vetcd.config.GoDuration.format(interval));
        timer = vertx.setPeriodic(interval.toMillis(), t -> {
            if (running || !server.core().isLeader()) return;
            running = true;
            checkOnce().onComplete(ar -> {
                running = false;
                if (ar.failed()) log.debug("check hash kv failed {}", String.valueOf(ar.cause().getMessage()));
            });
        });
    }

    public void stop() {
        if (timer >= 0) vertx.cancelTimer(timer);
    }

    /** One leader pass (etcd's checkHashKV); completes once any CORRUPT alarm it raised is applied. */
    public Future<Void> checkOnce() {
        return hashes.local(0).compose(before -> peers(before.getHeader().getRevision())
            .compose(peers -> hashes.local(0).compose(after -> {
                boolean mismatch = false;
                long rev = before.getHeader().getRevision();
                if (before.getCompactRevision() == after.getCompactRevision() && rev == after.getHeader().getRevision()
                        && before.getHash() != after.getHash()) {
                    log.warn("mismatched hashes {} and {} for revision {}", Integer.toUnsignedString(before.getHash()),
                        Integer.toUnsignedString(after.getHash()), rev);
                    mismatch = true;
                }
                int checked = 0;
                for (PeerHash p : peers) {
                    if (p.resp == null) continue;
                    checked++;
                    String peerId = ClusterIds.hex(p.member.id());
                    long peerRev = p.resp.getHeader().getRevision();
                    if (peerRev > after.getHeader().getRevision()) {
                        log.warn("revision {} from member {}, expected at most {}", peerRev, peerId, after.getHeader().getRevision());
                        mismatch = true;
                    } else if (p.resp.getCompactRevision() > after.getCompactRevision()) {
                        log.warn("compact revision {} from member {}, expected at most {}", p.resp.getCompactRevision(), peerId,
                            after.getCompactRevision());
                        mismatch = true;
                    } else if (p.resp.getCompactRevision() == before.getCompactRevision() && p.resp.getHash() != before.getHash()) {
                        log.warn("hash {} at revision {} from member {}, expected hash {}", Integer.toUnsignedString(p.resp.getHash()),
                            rev, peerId, Integer.toUnsignedString(before.getHash()));
                        mismatch = true;
                    }
                }
                log.info("finished peer corruption check ({} peers checked)", checked);
                if (!mismatch) return Future.<Void>succeededFuture();
                // which member diverged is not clear from one leader's view: etcd 3.4.23 raises one alarm for
                // member 0 (etcd-io/etcd#14828), and so do we
                return server.proposeRaw(server.rootInfo(), InternalRaftRequest.newBuilder().setAlarm(AlarmRequest.newBuilder()
                    .setAction(AlarmRequest.AlarmAction.ACTIVATE).setMemberID(0).setAlarm(AlarmType.CORRUPT))).<Void>mapEmpty();
            })));
    }

    private Future<List<PeerHash>> peers(long revision) {
        Membership ms = server.membership();
        List<Future<PeerHash>> asks = new ArrayList<>();
        for (Member m : ms.members()) {
            if (m.id() == ms.localId() || m.peerUrls().isEmpty()) continue;
            asks.add(hashes.peer(m, revision).map(r -> new PeerHash(m, r, null))
                .otherwise(e -> new PeerHash(m, null, e)));
        }
        return Future.all(asks).map(cf -> {
            List<PeerHash> out = new ArrayList<>();
            for (Future<PeerHash> f : asks) out.add(f.result());
            return out;
        });
    }
}
