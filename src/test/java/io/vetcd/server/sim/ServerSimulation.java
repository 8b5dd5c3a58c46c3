package io.vetcd.server.sim;

import com.google.protobuf.ByteString;
import io.vetcd.lease.Lease;
import io.vetcd.lease.Lessor;
import io.vetcd.mvcc.RangeResult;
import io.vetcd.pb.etcdserver.DeleteRangeRequest;
import io.vetcd.pb.etcdserver.LeaseGrantRequest;
import io.vetcd.pb.etcdserver.LeaseRevokeRequest;
import io.vetcd.pb.etcdserver.PutRequest;
import io.vetcd.pb.etcdserver.PutResponse;
import io.vetcd.pb.internal.InternalRaftRequest;
import io.vetcd.pb.internal.RequestHeader;
import io.vetcd.server.Member;
import io.vetcd.server.SimulatedProposals;
import io.vetcd.testing.TempDirs;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

/**
 * A deterministic simulation of a vetcd cluster's server layer: N members in one thread, each the
 * real core loop, apply loop, WAL, MVCC store and lessor ({@link SimMember}), talking through a
 * {@link SimNetwork}, all driven by one seeded {@link SimScheduler}. Clients put, delete, grant,
 * attach, keep alive and revoke leases; faults crash members (losing unsynced WAL bytes) and restart
 * them from disk, cut links (minorities, the leader, one way), stall members (a long pause, while
 * their clocks run on), and make the network lossy. {@link ServerInvariants} is checked at every
 * step; at the end the network heals, every member restarts, and all must converge on the same
 * state holding every acknowledged write.
 */
final class ServerSimulation implements AutoCloseable {
    private static final long MS = 1_000_000L;
    private static final long SECOND = 1_000 * MS;
    private static final int KEYS = 8;
    private static final long REQUEST_TIMEOUT = 5 * SECOND;
    private static final long CONVERGE_LIMIT = 120 * SECOND;
    /** A livelock (members busy but never agreeing) must end too. */
    private static final long CONVERGE_EVENTS = 2_000_000;

    final long seed;
    final SimParams params;
    final SimScheduler scheduler;
    final SimNetwork network;
    final ServerInvariants invariants = new ServerInvariants();
    private final SplittableRandom rng;
    private final List<SimMember> members = new ArrayList<>();
    private final List<Member> initialMembers = new ArrayList<>();
    private final Path dataRoot;
    private boolean chaos = true;

    /** Leases a grant of which was acknowledged: id → requested TTL. */
    private final TreeMap<Long, Long> leases = new TreeMap<>();
    private long valueSeq;
    long proposed;
    long acked;
    long failedOrTimedOut;
    long crashes;
    long partitions;
    long stalls;
    long renewals;
    long reads;
    long expiries;

    ServerSimulation(long seed, long chaosMillis, int traceLength) {
        ServerInvariants.clearRecorded();
        this.seed = seed;
        this.rng = new SplittableRandom(seed);
        this.params = SimParams.draw(rng.split(), chaosMillis);
        this.scheduler = new SimScheduler(traceLength);
        this.network = new SimNetwork(this, rng.split());
        network.dropRate = params.dropRate();
        network.duplicateRate = params.duplicateRate();
        network.maxDelayNanos = params.maxDelayNanos();
        try {
            Path shm = Path.of("/dev/shm");
            Path base = Files.isDirectory(shm) && Files.isWritable(shm) ? shm : Path.of(System.getProperty("java.io.tmpdir"));
            this.dataRoot = Files.createTempDirectory(base, "vetcd-sim-" + seed + "-");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        for (int i = 0; i < params.members(); i++) {
            SimMember m = new SimMember(this, i, dataRoot);
            members.add(m);
            initialMembers.add(new Member(m.id, "m" + i, List.of("http://127.0.0.1:" + (23000 + i)), List.of(), false));
        }
    }

    SimMember memberById(long id) {
        for (SimMember m : members) if (m.id == id) return m;
        return null;
    }

    /** The whole run: chaos, then healing and convergence, then the final checks. Throws on any violation. */
    void run() {
        for (SimMember m : members) start(m);
        scheduler.after(exp(params.meanClientGapNanos()), "client", this::client);
        scheduler.after(exp(params.meanFaultGapNanos()), "fault", this::fault);
        while (scheduler.now() < params.chaosNanos() && scheduler.runNext(params.chaosNanos())) { }
        scheduler.advanceTo(params.chaosNanos());
        heal();
        converge();
        finalChecks();
    }

    // ---- members' threads ----

    private void start(SimMember m) {
        m.start(initialMembers, rng);
        int inc = m.incarnation;
        tick(m, inc);
        // LeaseExpiryLoop's timer starts with the member, so each member's passes have their own phase
        scheduler.after(1 + rng.nextLong(500 * MS), "lease expiry m" + m.index, () -> leaseExpiry(m, inc));
    }

    private boolean current(SimMember m, int inc) {
        return m.up && m.incarnation == inc;
    }

    /** The core's timed wake-up: one turn when raft's next tick is due on the member's clock. */
    private void tick(SimMember m, int inc) {
        if (!current(m, inc)) return;
        long dueIn = m.virtualTime(m.core.nextTickNanos()) - scheduler.now();
        scheduler.after(Math.max(0, dueIn) + rng.nextLong(MS), "tick m" + m.index, () -> {
            if (!current(m, inc)) return;
            if (scheduler.now() < m.stalledUntil) {
                scheduler.after(m.stalledUntil - scheduler.now(), "tick m" + m.index + " (after stall)", () -> tick(m, inc));
                return;
            }
            turn(m);
            tick(m, inc);
        });
    }

    /** Input arrived for the member: its core runs a turn soon (the thread wakes up). */
    void kick(SimMember m) {
        if (!m.up) return;
        long at = Math.max(scheduler.now() + rng.nextLong(200_000), m.stalledUntil);
        if (m.turnScheduledAt <= at) return;
        m.turnScheduledAt = at;
        int inc = m.incarnation;
        scheduler.after(at - scheduler.now(), "turn m" + m.index, () -> {
            if (!current(m, inc)) return;
            if (m.turnScheduledAt == at) m.turnScheduledAt = Long.MAX_VALUE;
            if (scheduler.now() < m.stalledUntil) {
                kick(m);
                return;
            }
            turn(m);
        });
    }

    private void turn(SimMember m) {
        m.core.runTurn();
        checkAlive(m);
        if (!m.up) return;
        if (m.core.hasWork()) kick(m);
        scheduleApply(m);
    }

    /** The apply thread picks up a batch a little later (or much later, now and then: a slow apply). */
    private void scheduleApply(SimMember m) {
        if (m.applyScheduled || m.core.applyBacklog() == 0) return;
        m.applyScheduled = true;
        int inc = m.incarnation;
        long delay = rng.nextInt(30) == 0 ? rng.nextLong(50 * MS) : rng.nextLong(3 * MS);
        scheduler.after(Math.max(delay, m.stalledUntil - scheduler.now()), "apply m" + m.index, () -> {
            if (!current(m, inc)) return;
            m.applyScheduled = false;
            if (scheduler.now() < m.stalledUntil) {
                scheduleApply(m);
                return;
            }
            m.core.applyNext();
            checkAlive(m);
            if (m.up) scheduleApply(m);
        });
    }

    /** No disk or backend faults are injected, so a member that stops on an error has a bug. */
    private void checkAlive(SimMember m) {
        if (m.up && m.core.failure() != null) {
            Throwable t = m.core.failure();
            // an invariant that failed inside the member's loop stopped it: report the invariant
            for (Throwable c = t; c != null; c = c.getCause()) if (c instanceof ServerInvariants.Violation v) throw v;
            ServerInvariants.Violation v = new ServerInvariants.Violation(m + " stopped on an error: " + t);
            v.initCause(t);
            throw v;
        }
    }

    /** etcd's revokeExpiredLeases, as LeaseExpiryLoop runs it every 500 ms: the leader proposes a revoke per expired lease. */
    private void leaseExpiry(SimMember m, int inc) {
        if (!current(m, inc)) return;
        if (scheduler.now() >= m.stalledUntil) {
            for (Lease l : m.lessor.findExpired(Lessor.REVOKE_RATE / 2)) {
                invariants.leaseExpiring(m, l.id(), l.ttlSeconds(), l.expiryNanos(), m.lessor.isPrimary(), m.now());
                expiries++;
                propose(m, InternalRaftRequest.newBuilder().setLeaseRevoke(LeaseRevokeRequest.newBuilder().setID(l.id())), r -> { });
            }
        }
        scheduler.after(500 * MS, "lease expiry m" + m.index, () -> leaseExpiry(m, inc));
    }

    // ---- clients ----

    private void client() {
        if (!chaos) return;
        scheduler.after(exp(params.meanClientGapNanos()), "client", this::client);
        SimMember m = members.get(rng.nextInt(members.size()));
        if (!m.up) return;
        int op = rng.nextInt(100);
        if (op < 50) {
            put(m, null);
        } else if (op < 60) {
            String key = "k" + rng.nextInt(KEYS);
            propose(m, InternalRaftRequest.newBuilder().setDeleteRange(DeleteRangeRequest.newBuilder()
                .setKey(ByteString.copyFromUtf8(key))), r -> { });
        } else if (op < 70) {
            long id = m.ids.nextLeaseId();
            long ttl = 1 + rng.nextInt(4);
            propose(m, InternalRaftRequest.newBuilder().setLeaseGrant(LeaseGrantRequest.newBuilder().setID(id).setTTL(ttl)), r -> {
                if (!(r instanceof Throwable)) leases.put(id, ttl);
            });
        } else if (op < 82) {
            put(m, randomLease());
        } else if (op < 92) {
            Long lease = randomLease();
            if (lease != null) keepAlive(m, lease);
        } else if (op < 97) {
            // a burst on one member, spread over a few message delays, so reads overlap a read index in flight
            int burst = 1 + rng.nextInt(6);
            for (int i = 0; i < burst; i++) {
                scheduler.after(rng.nextLong(3 * params.maxDelayNanos() + 1), "read m" + m.index, () -> { if (m.up) linearizableRead(m); });
            }
        } else {
            Long lease = randomLease();
            if (lease != null) {
                propose(m, InternalRaftRequest.newBuilder().setLeaseRevoke(LeaseRevokeRequest.newBuilder().setID(lease)), r -> { });
            }
        }
    }

    private Long randomLease() {
        if (leases.isEmpty()) return null;
        List<Long> ids = new ArrayList<>(leases.keySet());
        return ids.get(rng.nextInt(ids.size()));
    }

    private void put(SimMember m, Long lease) {
        String key = "k" + rng.nextInt(KEYS);
        String value = "v" + (++valueSeq);
        PutRequest.Builder put = PutRequest.newBuilder().setKey(ByteString.copyFromUtf8(key)).setValue(ByteString.copyFromUtf8(value));
        if (lease != null) put.setLease(lease);
        propose(m, InternalRaftRequest.newBuilder().setPut(put), r -> {
            if (r instanceof PutResponse resp) invariants.acknowledgedPut(resp.getHeader().getRevision(), key, value);
        });
    }

    /**
     * A linearizable read on any member, as EtcdServer serves one: its read index must cover every
     * entry applied anywhere before the read began (all of them were committed), and once it is
     * applied there the member must hold every put acknowledged before the read began.
     */
    private void linearizableRead(SimMember m) {
        long mustSeeRevision = invariants.acked.isEmpty() ? 0 : invariants.acked.lastKey();
        long mustSeeIndex = 0;
        for (SimMember o : members) if (o.up) mustSeeIndex = Math.max(mustSeeIndex, o.core.appliedIndex());
        long mustCover = mustSeeIndex;
        int inc = m.incarnation;
        m.core.readIndex().whenComplete((index, err) -> {
            if (err != null || !current(m, inc)) return;
            invariants.linearizableRead(m, index, mustCover, m.store.currentRevision(), mustSeeRevision);
            reads++;
        });
        kick(m);
    }

    /** A keep-alive goes to the member's leader (as EtcdServer forwards it), which renews after a read barrier. */
    private void keepAlive(SimMember via, long lease) {
        SimMember leader = memberById(via.core.leaderId());
        if (leader == null || !leader.up || network.isCut(via.index, leader.index)) return;
        int inc = leader.incarnation;
        leader.core.readIndex().whenComplete((index, err) -> {
            if (err != null || !current(leader, inc)) return;
            CompletableFuture<Long> renewed = leader.lessor.renew(lease);
            if (renewed.isDone() && !renewed.isCompletedExceptionally()) {
                invariants.leaseRefreshed(leader, lease, leader.now(), "renewed");
                renewals++;
            }
        });
        kick(leader);
    }

    /** Proposes as EtcdServer does (a request id in the header; answered when applied here, or times out). */
    private void propose(SimMember m, InternalRaftRequest.Builder req, java.util.function.Consumer<Object> done) {
        long id = m.ids.nextRequestId();
        byte[] data = req.setHeader(RequestHeader.newBuilder().setID(id)).build().toByteArray();
        boolean[] settled = {false};
        int inc = m.incarnation;
        proposed++;
        SimulatedProposals.submit(m.core, id, data, r -> {
            settled[0] = true;
            if (r instanceof Throwable) failedOrTimedOut++;
            else acked++;
            done.accept(r);
        });
        scheduler.after(REQUEST_TIMEOUT, "timeout of request " + Long.toHexString(id), () -> {
            if (!settled[0] && current(m, inc)) m.core.abandon(id);
        });
        kick(m);
    }

    // ---- faults ----

    private void fault() {
        if (!chaos) return;
        scheduler.after(exp(params.meanFaultGapNanos()), "fault", this::fault);
        int kind = rng.nextInt(100);
        if (kind < 30) {
            crashAndRestart(pickUp());
        } else if (kind < 36) {
            // a majority loses power at once: only what was fsynced survives anywhere
            for (int i = 0; i < members.size() / 2 + 1; i++) crashAndRestart(pickUp());
        } else if (kind < 56) {
            SimMember m = pickUp();
            if (m != null) isolate(m, rng.nextInt(4) == 0);
        } else if (kind < 70) {
            SimMember leader = null;
            for (SimMember m : members) if (m.up && m.core.isLeader()) leader = m;
            if (leader != null) isolate(leader, false);
        } else if (kind < 85) {
            SimMember m = pickUp();
            if (m != null) {
                stalls++;
                m.stalledUntil = scheduler.now() + 100 * MS + rng.nextLong(2 * SECOND);
            }
        } else {
            network.dropRate = rng.nextDouble() * 0.3;
            network.maxDelayNanos = MS + rng.nextLong(50 * MS);
            scheduler.after(200 * MS + rng.nextLong(2 * SECOND), "network recovers", () -> {
                network.dropRate = params.dropRate();
                network.maxDelayNanos = params.maxDelayNanos();
            });
        }
    }

    private SimMember pickUp() {
        List<SimMember> up = members.stream().filter(m -> m.up).toList();
        return up.isEmpty() ? null : up.get(rng.nextInt(up.size()));
    }

    private void crashAndRestart(SimMember m) {
        if (m == null || !m.up) return;
        crashes++;
        m.crash(rng);
        scheduler.after(20 * MS + rng.nextLong(3 * SECOND), "restart m" + m.index, () -> {
            if (!m.up) start(m);
        });
    }

    /** Cuts a member off from all others (or only its outgoing links), healed after a while. */
    private void isolate(SimMember m, boolean oneWay) {
        partitions++;
        List<int[]> cut = new ArrayList<>();
        for (SimMember o : members) {
            if (o == m) continue;
            cut.add(new int[] {m.index, o.index});
            if (!oneWay) cut.add(new int[] {o.index, m.index});
        }
        for (int[] c : cut) network.cut(c[0], c[1]);
        scheduler.after(100 * MS + rng.nextLong(3 * SECOND), "heal m" + m.index, () -> {
            for (int[] c : cut) network.uncut(c[0], c[1]);
        });
    }

    private long exp(long mean) {
        return (long) (-Math.log(1 - rng.nextDouble()) * mean);
    }

    // ---- the end ----

    private void heal() {
        chaos = false;
        network.heal();
        network.reliable();
        for (SimMember m : members) {
            m.stalledUntil = 0;
            if (!m.up) start(m);
        }
    }

    /** Runs with a healthy network until every member has applied the same log, with a final write through it. */
    private void converge() {
        long deadline = scheduler.now() + CONVERGE_LIMIT;
        long eventLimit = scheduler.executed + CONVERGE_EVENTS;
        boolean wrote = false;
        while (scheduler.now() < deadline && scheduler.executed < eventLimit) {
            int ran = 0;
            while (ran < 2000 && scheduler.runNext(deadline)) ran++;
            if (ran == 0) break; // nothing due before the deadline
            SimMember leader = null;
            for (SimMember m : members) if (m.core.isLeader()) leader = m;
            if (leader == null) continue;
            if (!wrote) {
                put(leader, null); // a leader's own write commits everything before it
                wrote = true;
                continue;
            }
            long commit = leader.core.commitIndex();
            boolean same = true;
            for (SimMember m : members) {
                same &= m.core.appliedIndex() == commit && m.core.applyBacklog() == 0 && m.core.commitIndex() == commit;
            }
            if (same && leader.core.appliedIndex() >= leader.raft.lastIndex()) return;
        }
        StringBuilder sb = new StringBuilder("no convergence " + (scheduler.now() - params.chaosNanos()) / MS
            + " ms (" + CONVERGE_EVENTS + " events at most) after healing:");
        for (SimMember m : members) {
            sb.append(' ').append(m).append(" leader=").append(Long.toHexString(m.core.leaderId()))
                .append(" term=").append(m.core.term()).append(" commit=").append(m.core.commitIndex())
                .append(" applied=").append(m.core.appliedIndex()).append(" voters=").append(m.core.confState().voters())
                .append(m.core.failure() == null ? "" : " failed: " + m.core.failure()).append(';');
        }
        ServerInvariants.fail(sb.toString());
    }

    private void finalChecks() {
        long revision = members.get(0).store.currentRevision();
        for (SimMember m : members) {
            if (m.store.currentRevision() != revision) {
                ServerInvariants.fail("after convergence " + m + " is at revision " + m.store.currentRevision()
                    + ", " + members.get(0) + " at " + revision);
            }
        }
        for (Map.Entry<Long, String> a : invariants.acked.entrySet()) {
            String[] kv = a.getValue().split("=", 2);
            for (SimMember m : members) {
                RangeResult r = m.store.range(kv[0].getBytes(StandardCharsets.UTF_8), null, a.getKey());
                boolean there = r.kvs().size() == 1 && r.kvs().get(0).getModRevision() == a.getKey()
                    && r.kvs().get(0).getValue().toStringUtf8().equals(kv[1]);
                if (!there) ServerInvariants.fail("acknowledged put " + a.getValue() + " at revision " + a.getKey() + " lost on " + m);
            }
        }
        long hash = members.get(0).store.hashKV(revision).hash();
        for (SimMember m : members) {
            if (m.store.hashKV(revision).hash() != hash) ServerInvariants.fail("hash of the store differs on " + m);
        }
    }

    /** Everything a replay must reproduce exactly. */
    String fingerprint() {
        return "events=" + scheduler.executed + " sent=" + network.sent + " acked=" + invariants.acked.hashCode()
            + " proposed=" + proposed + " crashes=" + crashes + " revision=" + members.get(0).store.currentRevision()
            + " applied=" + members.get(0).core.appliedIndex();
    }

    String describe() {
        return params.members() + " members, " + scheduler.executed + " events, " + proposed + " proposals ("
            + acked + " acknowledged, " + failedOrTimedOut + " failed), " + invariants.acked.size() + " acked puts, "
            + crashes + " crashes, " + partitions + " partitions, " + stalls + " stalls, " + network.snapshotsSent
            + " snapshots sent, " + renewals + " renewals, " + reads + " linearizable reads, " + expiries + " expiries, " + invariants.checks + " checks";
    }

    @Override
    public void close() {
        for (SimMember m : members) {
            try {
                m.close();
            } catch (RuntimeException ignored) {
                // closing after a failure: the report matters more
            }
        }
        TempDirs.delete(dataRoot);
    }
}
