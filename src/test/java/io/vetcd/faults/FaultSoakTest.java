package io.vetcd.faults;

import com.google.protobuf.ByteString;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import io.vetcd.pb.etcdserver.Compare;
import io.vetcd.pb.etcdserver.KVGrpcClient;
import io.vetcd.pb.etcdserver.MaintenanceGrpcClient;
import io.vetcd.pb.etcdserver.PutRequest;
import io.vetcd.pb.etcdserver.RangeRequest;
import io.vetcd.pb.etcdserver.RangeResponse;
import io.vetcd.pb.etcdserver.RequestOp;
import io.vetcd.pb.etcdserver.StatusRequest;
import io.vetcd.pb.etcdserver.StatusResponse;
import io.vetcd.pb.etcdserver.TxnRequest;
import io.vetcd.pb.etcdserver.TxnResponse;
import io.vetcd.pb.etcdserver.WatchGrpcClient;
import io.vetcd.pb.mvcc.KeyValue;
import io.vetcd.testing.MemberClock;
import io.vetcd.testing.PeerNetwork;
import io.vetcd.testing.ProcessCluster;
import io.vetcd.testing.SizeLimitedDir;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ConnectException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 7: vetcd under faults. A cluster of child JVMs ({@link ProcessCluster}),
 * concurrent clients doing register ops (put / get / cas on mod_revision) on a
 * few keys through every member, and a seeded schedule of faults: kill -9 of a
 * random member or of the leader then restart on the same data dir, SIGSTOP /
 * SIGCONT of the leader or of a random member, and (issue 16) network faults
 * between the members: a member or the leader isolated, one-way loss, a
 * flapping member, latency on every link. Network faults put every member's
 * peer traffic through a {@link PeerNetwork} in this JVM; clients still talk
 * to every member directly. Also (issue 16): a member's disk fills up (each
 * data dir a small tmpfs, {@link SizeLimitedDir}) and a vetcd member's wall
 * clock jumps ({@link MemberClock}, libfaketime); lease keepers
 * ({@link LeaseKeeper}) hold leases with keys through all of it, and no lease
 * may expire early. After each fault the time until writes are served
 * again is measured ({@link WriteRecovery}). The history is checked for
 * linearizability per key ({@link Linearizability}, {@link RegisterOp.Model}).
 *
 * CI mode (the defaults): 3 members, 2 minutes. Soak mode, e.g.
 * {@code mvn -B test -Dtest=FaultSoakTest -Dvetcd.faults.minutes=30 -Dvetcd.faults.members=5}.
 * System properties: vetcd.faults.{minutes,members,clients,keys,seed,faults,deadlineMs,dir,keep,
 * leaseTtl,leaseKeepers,diskMb,readySeconds}.
 * A failing run's history is written to {@code <dir>/run-<seed>/history.jsonl}
 * (re-check it with {@link History#main}).
 */
class FaultSoakTest {
    enum Fault {
        KILL, KILL_LEADER, PAUSE_LEADER, PAUSE,
        /** A random member cut off from every peer, both ways ({@link PeerNetwork#isolate}). */
        PARTITION,
        /** The leader cut off from every peer, both ways. */
        PARTITION_LEADER,
        /** Bytes from one random member to another lost, the other way fine. */
        ONE_WAY,
        /** A random member's links cut and healed every 100-700 ms. */
        FLAP,
        /** Every link delayed by 20-300 ms, each its own. */
        LATENCY,
        /**
         * A random member's data dir (a tmpfs of its own, {@link SizeLimitedDir}) fills up: the member
         * must exit (vetcd and etcd both do on a failed WAL or backend write) or go on serving; the
         * space is given back after the fault's time and an exited member restarted.
         */
        DISK_FULL,
        /**
         * A vetcd member's wall clock jumps 30-600 s forwards or backwards (libfaketime,
         * {@link MemberClock}), the leader half of the time; it jumps back at the fault's end.
         */
        CLOCK_JUMP;

        /** Needs the members' peer traffic to go through a {@link PeerNetwork}. */
        boolean network() {
            return this == PARTITION || this == PARTITION_LEADER || this == ONE_WAY || this == FLAP || this == LATENCY;
        }
    }

    /**
     * CI's mix: the process faults and the two isolations. With the proxies on, a 2-minute run
     * took no longer than without them (seed 4: 140.5 s with, 147.2 s without).
     */
    static final String DEFAULT_FAULTS = "KILL,KILL_LEADER,PAUSE_LEADER,PAUSE,PARTITION,PARTITION_LEADER,DISK_FULL,CLOCK_JUMP";

    static final long T0 = System.nanoTime();

    static long now() {
        return System.nanoTime() - T0;
    }

    static ByteString bs(String s) {
        return ByteString.copyFromUtf8(s);
    }

    @Test
    void linearizableUnderFaults() throws Exception {
        run(Integer.getInteger("vetcd.faults.etcdMembers", 0), System.getProperty("vetcd.faults.minutes", "2"));
    }

    /**
     * Issue 14: the same faults on a mixed cluster, one real etcd 3.4 member beside vetcd members
     * (skipped without etcd): kill -9 and SIGSTOP of either kind, leadership moving between them.
     */
    @Test
    void mixedClusterLinearizableUnderFaults() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(io.vetcd.testing.Cli.available("etcd"), "etcd-server is installed");
        run(1, System.getProperty("vetcd.faults.mixedMinutes", "1.5"));
    }

    private void run(int etcdMembers, String minutesProperty) throws Exception {
        long seed = Long.getLong("vetcd.faults.seed", System.currentTimeMillis() % 1_000_000);
        double minutes = Double.parseDouble(minutesProperty);
        int size = Integer.getInteger("vetcd.faults.members", 3);
        int clients = Integer.getInteger("vetcd.faults.clients", 2 * size);
        int keys = Integer.getInteger("vetcd.faults.keys", 4);
        long deadlineMs = Long.getLong("vetcd.faults.deadlineMs", 2500);
        List<Fault> faults = new ArrayList<>(Arrays.stream(System.getProperty("vetcd.faults.faults", DEFAULT_FAULTS)
            .split(",")).map(String::trim).filter(s -> !s.isEmpty()).map(Fault::valueOf).toList());
        long leaseTtl = Long.getLong("vetcd.faults.leaseTtl", 15);
        int leaseKeepers = Integer.getInteger("vetcd.faults.leaseKeepers", size);
        int diskMb = Integer.getInteger("vetcd.faults.diskMb", 256);
        if (faults.contains(Fault.CLOCK_JUMP) && (!MemberClock.available() || etcdMembers >= size)) {
            System.out.println("[faults] CLOCK_JUMP left out: " + (etcdMembers >= size ? "no vetcd member"
                : MemberClock.LIBFAKETIME + " is missing (apt-get install faketime)"));
            faults.removeIf(f -> f == Fault.CLOCK_JUMP);
        }
        Path root = Path.of(System.getProperty("vetcd.faults.dir", "target/faults")).toAbsolutePath().resolve("run-" + seed + (etcdMembers > 0 ? "-mixed" : ""));
        deleteTree(root);
        System.out.printf("[faults] seed=%d members=%d (etcd %d) clients=%d keys=%d minutes=%.2f faults=%s dir=%s%n",
            seed, size, etcdMembers, clients, keys, minutes, faults, root);

        Random rnd = new Random(seed);
        ConcurrentLinkedQueue<RegisterOp> history = new ConcurrentLinkedQueue<>();
        AtomicInteger failedReads = new AtomicInteger();
        AtomicInteger refused = new AtomicInteger();
        Map<Fault, Integer> injected = new HashMap<>();
        List<String> faultLog = new ArrayList<>();
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> workers = new ArrayList<>();
        List<WatchRecorder> watchers = new ArrayList<>();
        Vertx vertx = Vertx.vertx();
        boolean passed = false;
        List<RegisterOp> ops = List.of();
        Map<Fault, List<WriteRecovery.Result>> recoveries = new HashMap<>();
        AtomicInteger isolationProbes = new AtomicInteger();
        List<Long> restartMs = new ArrayList<>();
        AtomicInteger isolatedWritesAcked = new AtomicInteger();
        ConcurrentLinkedQueue<LeaseKeeper.Loss> leaseLosses = new ConcurrentLinkedQueue<>();
        List<LeaseKeeper> keepers = new ArrayList<>();
        List<String> diskOutcomes = new ArrayList<>();
        List<String> storageViolations = new ArrayList<>();
        AtomicInteger clockJumpsSeen = new AtomicInteger();
        List<String> clockViolations = new ArrayList<>();
        List<SizeLimitedDir> disks = new ArrayList<>();
        List<MemberClock> clocks = new ArrayList<>();
        ProcessCluster cluster;
        PeerNetwork peerNetwork = null;
        boolean proxied = faults.stream().anyMatch(Fault::network);
        cluster = proxied ? ProcessCluster.prepareWithProxiedPeers(root, size, etcdMembers, List.of())
            : ProcessCluster.prepare(root, size, etcdMembers, List.of());
        try {
            if (faults.contains(Fault.DISK_FULL)) {
                for (ProcessCluster.Member m : cluster.members) {
                    SizeLimitedDir d = SizeLimitedDir.mount(m.dataDir, diskMb);
                    if (d == null) break;
                    disks.add(d);
                }
                if (disks.size() < size) {
                    System.out.println("[faults] DISK_FULL left out: mounting a tmpfs failed (needs root)");
                    faults.removeIf(f -> f == Fault.DISK_FULL);
                    disks.forEach(SizeLimitedDir::close);
                    disks.clear();
                }
            }
            for (ProcessCluster.Member m : cluster.members) {
                clocks.add(faults.contains(Fault.CLOCK_JUMP) && m.isVetcd()
                    ? MemberClock.attach(m, root.resolve(m.name + ".faketime")) : null);
            }
            if (proxied) peerNetwork = PeerNetwork.listen(cluster);
            cluster.startAll(Long.getLong("vetcd.faults.readySeconds", 120));
        } catch (Exception e) {
            if (peerNetwork != null) peerNetwork.close();
            cluster.close();
            disks.forEach(SizeLimitedDir::close);
            throw e;
        }
        System.out.println("[faults] running with faults " + faults + "; lease keepers " + leaseKeepers + " (TTL " + leaseTtl + " s)");
        try (ProcessCluster closeCluster = cluster; PeerNetwork net = peerNetwork) {
            List<KVGrpcClient> kvs = new ArrayList<>();
            List<MaintenanceGrpcClient> mts = new ArrayList<>();
            List<GrpcClient> grpcs = new ArrayList<>();
            List<SocketAddress> addrs = new ArrayList<>();
            for (ProcessCluster.Member m : cluster.members) {
                GrpcClient grpc = GrpcClient.client(vertx); // one connection per member endpoint
                SocketAddress addr = SocketAddress.inetSocketAddress(m.clientPort, "127.0.0.1");
                grpcs.add(grpc);
                addrs.add(addr);
                kvs.add(KVGrpcClient.create(grpc, addr));
                mts.add(MaintenanceGrpcClient.create(grpc, addr));
                WatchRecorder w = new WatchRecorder(m.name, vertx, WatchGrpcClient.create(grpc, addr), "faults/");
                watchers.add(w);
                w.start();
            }
            for (int c = 0; c < clients; c++) {
                int client = c;
                int mi = c % size;
                long clientSeed = rnd.nextLong();
                Thread t = new Thread(() -> runClient(client, cluster.members.get(mi).name, kvs.get(mi), keys,
                    new Random(clientSeed), deadlineMs, stop, history, failedReads, refused), "client-" + c);
                t.setDaemon(true);
                workers.add(t);
            }
            for (int k = 0; k < leaseKeepers; k++) {
                LeaseKeeper keeper = new LeaseKeeper("keeper" + k, grpcs, addrs, kvs, k % size, leaseTtl, deadlineMs, leaseLosses);
                keepers.add(keeper);
                Thread t = new Thread(() -> keeper.run(stop), "lease-keeper-" + k);
                t.setDaemon(true);
                workers.add(t);
            }
            workers.forEach(Thread::start);

            // ---- the seeded fault schedule (bounded in count and time) ----
            long end = System.nanoTime() + (long) (minutes * 60e9);
            int maxFaults = (int) (minutes * 60); // at most one a second
            for (int i = 0; i < maxFaults && System.nanoTime() < end; i++) {
                Thread.sleep(1000 + rnd.nextInt(3000));
                if (System.nanoTime() >= end) break;
                Fault f = faults.get(rnd.nextInt(faults.size()));
                ProcessCluster.Member target = switch (f) {
                    case KILL, PAUSE, PARTITION, ONE_WAY, FLAP, LATENCY, DISK_FULL -> cluster.members.get(rnd.nextInt(size));
                    case KILL_LEADER, PAUSE_LEADER, PARTITION_LEADER -> leader(cluster, mts, deadlineMs);
                    case CLOCK_JUMP -> rnd.nextBoolean() ? leader(cluster, mts, deadlineMs) : cluster.members.get(rnd.nextInt(size));
                };
                if (target == null) target = cluster.members.get(rnd.nextInt(size));
                if (f == Fault.CLOCK_JUMP && !target.isVetcd()) target = cluster.members.get(etcdMembers + rnd.nextInt(size - etcdMembers));
                long jumpSeconds = f == Fault.CLOCK_JUMP ? (rnd.nextBoolean() ? 1 : -1) * (30 + rnd.nextInt(571)) : 0;
                long down = 500 + rnd.nextInt(f == Fault.KILL || f == Fault.KILL_LEADER ? 3000 : 5000);
                int ti = cluster.members.indexOf(target);
                // the other end of a one-way cut; a seeded generator of its own for flapping and latency
                int other = f == Fault.ONE_WAY ? (ti + 1 + rnd.nextInt(size - 1)) % size : -1;
                Random faultRnd = f.network() ? new Random(rnd.nextLong()) : null;
                String what = f == Fault.LATENCY ? String.format("t=%.1fs %s on every link for %d ms", now() / 1e9, f, down)
                    : String.format("t=%.1fs %s %s (pid %d)%s%s for %d ms", now() / 1e9, f, target.name,
                    target.pid(), other >= 0 ? " -> " + cluster.members.get(other).name : "",
                    f == Fault.CLOCK_JUMP ? String.format(" by %+d s", jumpSeconds) : "", down);
                faultLog.add(what);
                System.out.println("[faults] " + what);
                injected.merge(f, 1, Integer::sum);
                switch (f) {
                    case KILL, KILL_LEADER -> {
                        target.kill9();
                        Thread.sleep(down);
                        long startAt = System.nanoTime();
                        target.start(Long.getLong("vetcd.faults.readySeconds", 120));
                        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startAt);
                        restartMs.add(ms);
                        faultLog.add("  restarted, ready after " + ms + " ms");
                        System.out.println("[faults]   restarted, ready after " + ms + " ms");
                    }
                    case PAUSE, PAUSE_LEADER -> {
                        target.pause();
                        try {
                            Thread.sleep(down);
                        } finally {
                            target.resume();
                        }
                    }
                    case PARTITION, PARTITION_LEADER -> {
                        net.isolate(ti);
                        long cutAt = System.nanoTime();
                        try {
                            // evidence that the cut is real: a write through the isolated member cannot commit
                            if (down >= 1500) {
                                Thread.sleep(200);
                                isolationProbes.incrementAndGet();
                                if (writeAcked(kvs.get(ti), 1000)) {
                                    isolatedWritesAcked.incrementAndGet();
                                    faultLog.add("  a write through isolated " + target.name + " was acknowledged");
                                    System.out.println("[faults]   a write through isolated " + target.name + " was acknowledged");
                                }
                            }
                            long left = down - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - cutAt);
                            if (left > 0) Thread.sleep(left);
                        } finally {
                            net.healAll();
                        }
                    }
                    case ONE_WAY -> {
                        net.cutOneWay(ti, other);
                        try {
                            Thread.sleep(down);
                        } finally {
                            net.healAll();
                        }
                    }
                    case FLAP -> {
                        long flapEnd = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(down);
                        try {
                            while (System.nanoTime() < flapEnd) {
                                net.isolate(ti);
                                Thread.sleep(100 + faultRnd.nextInt(600));
                                net.healAll();
                                Thread.sleep(100 + faultRnd.nextInt(600));
                            }
                        } finally {
                            net.healAll();
                        }
                    }
                    case DISK_FULL -> {
                        SizeLimitedDir disk = disks.get(ti);
                        long filledAt = System.nanoTime();
                        long filled = disk.fill();
                        Integer exit;
                        try {
                            // clients keep writing, so the member's next WAL or backend write fails: wait for it to act
                            exit = target.awaitExit(Math.max(down, 15_000));
                            long left = down - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - filledAt);
                            if (left > 0) Thread.sleep(left);
                        } finally {
                            disk.free();
                        }
                        long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - filledAt);
                        String outcome = exit == null
                            ? String.format("  %s kept running with its disk full (%d MB filled) for %d ms", target.name, filled >> 20, tookMs)
                            : String.format("  %s exited with code %d after its disk filled (%d MB); space back after %d ms",
                                target.name, exit, filled >> 20, tookMs);
                        diskOutcomes.add(outcome.trim());
                        faultLog.add(outcome);
                        System.out.println("[faults] " + outcome);
                        if (exit != null) {
                            // vetcd exits 1 (etcd's lg.Fatal); real etcd may also panic (2) on some write paths: its own business
                            if (exit != 1 && target.isVetcd()) {
                                storageViolations.add(target.name + " exited with " + exit + " on a full disk, not 1");
                            }
                            long startAt = System.nanoTime();
                            target.start(Long.getLong("vetcd.faults.readySeconds", 120));
                            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startAt);
                            restartMs.add(ms);
                            faultLog.add("  restarted, ready after " + ms + " ms");
                            System.out.println("[faults]   restarted, ready after " + ms + " ms");
                        }
                    }
                    case CLOCK_JUMP -> {
                        MemberClock clock = clocks.get(ti);
                        clock.jump(jumpSeconds);
                        try {
                            if (clock.awaitOffset(Math.max(3000, down))) {
                                clockJumpsSeen.incrementAndGet();
                            } else {
                                clockViolations.add(target.name + " did not show its clock jump of " + jumpSeconds + " s (last seen offset "
                                    + clock.observedOffset() + ")");
                            }
                            Thread.sleep(down);
                        } finally {
                            clock.jump(0);
                        }
                        if (!clock.awaitOffset(5000)) clockViolations.add(target.name + " did not show its clock jump back");
                    }
                    case LATENCY -> {
                        for (int a = 0; a < size; a++) {
                            for (int b = 0; b < size; b++) if (a != b) net.delay(a, b, 20 + faultRnd.nextInt(281));
                        }
                        try {
                            Thread.sleep(down);
                        } finally {
                            net.healAll();
                        }
                    }
                }
                // availability: from the fault's end (heal, resume, restarted) to writes served again
                WriteRecovery.Result rec = WriteRecovery.measure(kvs, 30_000);
                recoveries.computeIfAbsent(f, k -> new ArrayList<>()).add(rec);
                if (f == Fault.DISK_FULL && rec.allMs() < 0) {
                    // a member that neither exits nor serves once its disk has space again is hung
                    storageViolations.add(target.name + " did not serve writes within 30 s after its disk had space again");
                }
                faultLog.add("  " + rec.describe());
                System.out.println("[faults]   " + rec.describe());
            }
            stop.set(true);
            for (Thread t : workers) t.join(TimeUnit.MILLISECONDS.toMillis(3 * deadlineMs + 5000));

            // ---- final reads of every key on every member, once the cluster has settled ----
            Thread.sleep(1000);
            for (int k = 0; k < keys; k++) {
                for (int mi = 0; mi < size; mi++) {
                    RegisterOp op = readOnce(-1 - mi, cluster.members.get(mi).name, kvs.get(mi), "faults/k" + k,
                        4 * deadlineMs);
                    if (op != null) history.add(op);
                }
            }

            // ---- check ----
            ops = new ArrayList<>(history);
            ops.sort(Comparator.comparingLong(RegisterOp::call));
            List<String> watchViolations = checkWatches(watchers, ops);
            long t0 = System.nanoTime();
            var result = History.check(ops, Long.getLong("vetcd.faults.stepBudget", 200_000_000L));
            long checkMs = (System.nanoTime() - t0) / 1_000_000;
            Map<RegisterOp.Outcome, Long> byOutcome = ops.stream().collect(Collectors.groupingBy(RegisterOp::outcome,
                Collectors.counting()));
            Map<RegisterOp.Kind, Long> byKind = ops.stream().collect(Collectors.groupingBy(RegisterOp::kind,
                Collectors.counting()));
            System.out.println("[faults] ==== summary (seed " + seed + ") ====");
            System.out.printf("[faults] operations: %d recorded %s; ok %d, cas-failed (definite) %d, indeterminate %d;"
                    + " failed reads (dropped) %d, refused (not sent, dropped) %d%n", ops.size(), byKind,
                byOutcome.getOrDefault(RegisterOp.Outcome.OK, 0L), byOutcome.getOrDefault(RegisterOp.Outcome.CAS_FAILED, 0L),
                byOutcome.getOrDefault(RegisterOp.Outcome.UNKNOWN, 0L), failedReads.get(), refused.get());
            System.out.println("[faults] faults injected: " + injected.values().stream().mapToInt(x -> x).sum() + " " + injected);
            if (!restartMs.isEmpty()) {
                long[] r = restartMs.stream().mapToLong(x -> x).toArray();
                System.out.println("[faults] restart to ready (serving clients): median " + percentile(r, 50) + " ms max "
                    + percentile(r, 100) + " ms (" + r.length + " restarts)");
            }
            recoveries.forEach((f, rs) -> System.out.println("[faults] recovery after " + f + ": " + summarize(rs)));
            if (net != null) {
                System.out.println("[faults] peer network: " + net.accepted.get() + " connections, " + net.cutConnections.get()
                    + " closed by cuts, " + net.unidentified.get() + " with an unidentified dialer; writes through an"
                    + " isolated member acknowledged during the cut: " + isolatedWritesAcked.get() + " of "
                    + isolationProbes.get() + " tried");
            }
            List<LeaseKeeper.Loss> early = leaseLosses.stream().filter(LeaseKeeper.Loss::early).toList();
            System.out.printf("[faults] leases: %d keepers (TTL %d s), %d grants, %d keep-alives ok, %d failed (moved to the next"
                    + " member), longest time between successful keep-alives %.1f s; %d leases lost, %d early%n",
                keepers.size(), leaseTtl, keepers.stream().mapToLong(k -> k.grants.get()).sum(),
                keepers.stream().mapToLong(k -> k.renewals.get()).sum(), keepers.stream().mapToLong(k -> k.failedRenewals.get()).sum(),
                keepers.stream().mapToLong(k -> k.longestGapNanos.get()).max().orElse(0) / 1e9, leaseLosses.size(), early.size());
            leaseLosses.forEach(l -> System.out.println("[faults]   " + l.describe()));
            if (!diskOutcomes.isEmpty() || !storageViolations.isEmpty()) {
                System.out.println("[faults] full disks: " + diskOutcomes.size() + "; " + diskOutcomes.stream()
                    .filter(o -> o.contains("exited with code")).count() + " exits; violations " + storageViolations);
            }
            if (faults.contains(Fault.CLOCK_JUMP)) {
                System.out.println("[faults] clock jumps seen by the member's JVM: " + clockJumpsSeen.get() + " of "
                    + injected.getOrDefault(Fault.CLOCK_JUMP, 0) + "; " + clockViolations);
            }
            System.out.println("[faults] linearizability: " + result.verdict() + " (" + checkMs + " ms)");
            History.report(result, ops, System.out, 40);
            System.out.println("[faults] watch: " + watchers.stream().map(w -> w.member + " " + w.events().size()
                + " events/" + w.streams() + " streams").collect(Collectors.joining(", ")) + "; violations "
                + watchViolations.size());
            watchViolations.stream().limit(20).forEach(v -> System.out.println("[faults]   " + v));
            System.out.println("[faults] violations: " + result.illegal().size() + " linearizability, "
                + watchViolations.size() + " watch, " + early.size() + " early lease expiries, " + storageViolations.size()
                + " full-disk, " + clockViolations.size() + " clock");
            passed = result.verdict() != Linearizability.Verdict.ILLEGAL && watchViolations.isEmpty() && early.isEmpty()
                && storageViolations.isEmpty() && clockViolations.isEmpty();
            if (result.verdict() == Linearizability.Verdict.UNKNOWN) {
                System.out.println("[faults] WARNING: search budget exhausted on some key; not a violation");
            }
            assertTrue(injected.values().stream().mapToInt(x -> x).sum() > 0 || minutes < 0.1, "faults were injected");
            assertTrue(byOutcome.getOrDefault(RegisterOp.Outcome.OK, 0L) > 0, "some operations succeeded");
            assertEquals(0, result.illegal().size(), "linearizability violations (seed " + seed + "); history in "
                + root.resolve("history.jsonl"));
            assertEquals(List.of(), watchViolations, "watch violations (seed " + seed + ")");
            assertEquals(0, isolatedWritesAcked.get(), "writes acknowledged by an isolated member (seed " + seed + ")");
            assertEquals(List.of(), early.stream().map(LeaseKeeper.Loss::describe).toList(), "early lease expiries (seed " + seed + ")");
            assertEquals(List.of(), storageViolations, "members on a full disk (seed " + seed + ")");
            assertEquals(List.of(), clockViolations, "clock jumps (seed " + seed + ")");
        } finally {
            stop.set(true);
            watchers.forEach(WatchRecorder::stop);
            for (Thread t : workers) t.interrupt();
            vertx.close().toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
            disks.forEach(SizeLimitedDir::close); // the cluster is stopped by now
            boolean keep = Boolean.getBoolean("vetcd.faults.keep");
            if (!passed || keep) {
                Files.createDirectories(root);
                if (ops.isEmpty()) ops = new ArrayList<>(history);
                History.write(root.resolve("history.jsonl"), ops);
                Files.write(root.resolve("faults.txt"), faultLog);
                System.out.println("[faults] history written to " + root.resolve("history.jsonl"));
            } else {
                deleteTree(root);
            }
        }
    }

    /** Whether a put on the probe key through this member is acknowledged within the time. */
    static boolean writeAcked(KVGrpcClient kv, long ms) throws InterruptedException {
        try {
            await(kv.put(PutRequest.newBuilder().setKey(bs(WriteRecovery.PROBE_KEY)).setValue(bs("isolated")).build()), ms);
            return true;
        } catch (Failure f) {
            return false;
        }
    }

    /** Median and max of the times to writes through any member and through every member. */
    static String summarize(List<WriteRecovery.Result> rs) {
        return "any member median " + percentile(rs.stream().mapToLong(WriteRecovery.Result::anyMs).toArray(), 50)
            + " ms max " + percentile(rs.stream().mapToLong(WriteRecovery.Result::anyMs).toArray(), 100)
            + " ms; every member median " + percentile(rs.stream().mapToLong(WriteRecovery.Result::allMs).toArray(), 50)
            + " ms max " + percentile(rs.stream().mapToLong(WriteRecovery.Result::allMs).toArray(), 100)
            + " ms (" + rs.size() + " faults; -1 = not within 30 s)";
    }

    private static long percentile(long[] xs, int p) {
        // -1 (never recovered within the bound) sorts as the worst
        long[] s = Arrays.stream(xs).map(x -> x < 0 ? Long.MAX_VALUE : x).sorted().toArray();
        long v = s[Math.max(0, (int) Math.ceil(p / 100.0 * s.length) - 1)];
        return v == Long.MAX_VALUE ? -1 : v;
    }

    // ---- watch check ----

    /**
     * Every watcher (one per member, from revision 1, reconnecting across
     * crashes) must have seen the same events in the same order with no
     * duplicates, and they must agree with the acknowledged writes and reads
     * of the history: each acknowledged write's revision carries its value.
     */
    static List<String> checkWatches(List<WatchRecorder> watchers, List<RegisterOp> ops) throws InterruptedException {
        List<String> v = new ArrayList<>();
        long maxRev = ops.stream().filter(o -> o.outcome() != RegisterOp.Outcome.UNKNOWN).mapToLong(RegisterOp::rev).max()
            .orElse(0);
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < until && watchers.stream().anyMatch(w -> w.nextRevision() <= maxRev)) Thread.sleep(200);
        for (WatchRecorder w : watchers) {
            v.addAll(w.violations());
            if (w.nextRevision() <= maxRev) {
                v.add(w.member + ": watcher did not catch up to revision " + maxRev + " (at " + (w.nextRevision() - 1) + ")");
            }
        }
        List<WatchRecorder.Ev> reference = watchers.get(0).events().stream().filter(e -> e.rev() <= maxRev).toList();
        for (WatchRecorder w : watchers.subList(1, watchers.size())) {
            List<WatchRecorder.Ev> mine = w.events().stream().filter(e -> e.rev() <= maxRev).toList();
            if (!mine.equals(reference)) {
                int i = 0;
                while (i < Math.min(mine.size(), reference.size()) && mine.get(i).equals(reference.get(i))) i++;
                v.add(w.member + " and " + watchers.get(0).member + " saw different events (" + mine.size() + " vs "
                    + reference.size() + "), first difference at #" + i + ": "
                    + (i < mine.size() ? mine.get(i) : "none") + " vs " + (i < reference.size() ? reference.get(i) : "none"));
            }
        }
        Map<Long, WatchRecorder.Ev> byRev = new HashMap<>();
        for (WatchRecorder.Ev e : reference) byRev.put(e.rev(), e);
        for (RegisterOp o : ops) {
            if (o.outcome() != RegisterOp.Outcome.OK || o.kind() == RegisterOp.Kind.GET && o.rev() == 0) continue;
            String value = o.kind() == RegisterOp.Kind.GET ? o.readValue() : o.value();
            WatchRecorder.Ev e = byRev.get(o.rev());
            if (e == null || !e.key().equals(o.key()) || !e.value().equals(value)) {
                v.add("revision " + o.rev() + " of " + o + " is " + e + " in the watch streams");
            }
        }
        return v;
    }

    // ---- clients ----

    static void runClient(int client, String member, KVGrpcClient kv, int keys, Random rnd, long deadlineMs,
                          AtomicBoolean stop, ConcurrentLinkedQueue<RegisterOp> history, AtomicInteger failedReads,
                          AtomicInteger refused) {
        Map<String, RegisterOp.Model.State> seen = new HashMap<>();
        int n = 0;
        while (!stop.get()) {
            String key = "faults/k" + rnd.nextInt(keys);
            int dice = rnd.nextInt(100);
            RegisterOp.Model.State last = seen.get(key);
            String value = "c" + client + "-" + (n++);
            RegisterOp.Kind kind = dice < 35 || (dice >= 65 && last == null) ? RegisterOp.Kind.GET
                : dice < 65 ? RegisterOp.Kind.PUT : RegisterOp.Kind.CAS;
            long call = now();
            try {
                if (kind == RegisterOp.Kind.GET) {
                    RangeResponse r = await(kv.range(RangeRequest.newBuilder().setKey(bs(key)).build()), deadlineMs);
                    RegisterOp op = readOp(client, key, r, call, now()).at(member);
                    history.add(op);
                    seen.put(key, new RegisterOp.Model.State(op.readValue(), op.rev()));
                } else if (kind == RegisterOp.Kind.PUT) {
                    long rev = await(kv.put(PutRequest.newBuilder().setKey(bs(key)).setValue(bs(value)).build()), deadlineMs)
                        .getHeader().getRevision();
                    history.add(RegisterOp.put(client, key, value, rev, call, now()).at(member));
                    seen.put(key, new RegisterOp.Model.State(value, rev));
                } else {
                    TxnRequest txn = TxnRequest.newBuilder()
                        .addCompare(Compare.newBuilder().setKey(bs(key)).setTarget(Compare.CompareTarget.MOD)
                            .setResult(Compare.CompareResult.EQUAL).setModRevision(last.rev()))
                        .addSuccess(RequestOp.newBuilder().setRequestPut(PutRequest.newBuilder().setKey(bs(key)).setValue(bs(value))))
                        .addFailure(RequestOp.newBuilder().setRequestRange(RangeRequest.newBuilder().setKey(bs(key))))
                        .build();
                    try {
                        TxnResponse r = await(kv.txn(txn), deadlineMs);
                        long ret = now();
                        if (r.getSucceeded()) {
                            long rev = r.getHeader().getRevision();
                            history.add(RegisterOp.casOk(client, key, last.rev(), last.value(), value, rev, call, ret).at(member));
                            seen.put(key, new RegisterOp.Model.State(value, rev));
                        } else {
                            RegisterOp read = readOp(client, key, r.getResponses(0).getResponseRange(), call, ret);
                            history.add(RegisterOp.casFailed(client, key, last.rev(), last.value(), value, read.readValue(),
                                read.rev(), call, ret).at(member));
                            seen.put(key, new RegisterOp.Model.State(read.readValue(), read.rev()));
                        }
                    } catch (Failure f) {
                        if (f.notSent) {
                            refused.incrementAndGet();
                        } else {
                            history.add(RegisterOp.casUnknown(client, key, last.rev(), last.value(), value, call).at(member));
                        }
                        throw f;
                    }
                }
            } catch (Failure f) {
                // a put's failure is recorded here; a get's failure has no effect and is dropped
                if (kind == RegisterOp.Kind.PUT) {
                    if (f.notSent) refused.incrementAndGet();
                    else history.add(RegisterOp.putUnknown(client, key, value, call).at(member));
                } else if (kind == RegisterOp.Kind.GET) {
                    failedReads.incrementAndGet();
                }
                seen.remove(key);
                sleepQuietly(f.notSent ? 300 : 50);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    static RegisterOp readOnce(int client, String member, KVGrpcClient kv, String key, long deadlineMs)
            throws InterruptedException {
        long call = now();
        try {
            RangeResponse r = await(kv.range(RangeRequest.newBuilder().setKey(bs(key)).build()), deadlineMs);
            return readOp(client, key, r, call, now()).at(member);
        } catch (Failure f) {
            System.out.println("[faults] final read of " + key + " on " + member + " failed: " + f.getMessage());
            return null;
        }
    }

    static RegisterOp readOp(int client, String key, RangeResponse r, long call, long ret) {
        if (r.getKvsCount() == 0) return RegisterOp.get(client, key, null, 0, call, ret);
        KeyValue kv = r.getKvs(0);
        return RegisterOp.get(client, key, kv.getValue().toStringUtf8(), kv.getModRevision(), call, ret);
    }

    /** A failed request; notSent when the connection could not even be made (so it cannot have taken effect). */
    static final class Failure extends Exception {
        final boolean notSent;

        Failure(Throwable cause, boolean notSent) {
            super(String.valueOf(cause), cause, false, false);
            this.notSent = notSent;
        }
    }

    static <T> T await(Future<T> f, long deadlineMs) throws Failure, InterruptedException {
        try {
            return f.toCompletionStage().toCompletableFuture().get(deadlineMs, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new Failure(e, false);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            boolean notSent = c instanceof ConnectException
                || (c != null && c.getCause() instanceof ConnectException);
            throw new Failure(c, notSent);
        }
    }

    static ProcessCluster.Member leader(ProcessCluster cluster, List<MaintenanceGrpcClient> mts, long deadlineMs)
            throws InterruptedException {
        for (int attempt = 0; attempt < 5; attempt++) {
            for (int i = 0; i < cluster.members.size(); i++) {
                ProcessCluster.Member m = cluster.members.get(i);
                if (!m.alive() || m.paused()) continue;
                try {
                    StatusResponse s = await(mts.get(i).status(StatusRequest.getDefaultInstance()), Math.min(deadlineMs, 1000));
                    if (s.getLeader() != 0 && s.getLeader() == s.getHeader().getMemberId()) return m;
                } catch (Failure ignored) {
                    // try the next member
                }
            }
            Thread.sleep(300);
        }
        return null;
    }

    static void sleepQuietly(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) return;
        try (Stream<Path> s = Files.walk(p)) {
            for (Path x : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(x);
        }
    }
}
