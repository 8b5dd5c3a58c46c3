package io.vetcd.cluster;

import io.vetcd.testing.TempDirs;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vetcd.testing.Cli;
import io.vetcd.testing.MemberProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The migration an etcd operator does: a running 3-member etcd 3.4 cluster under a steady write
 * load becomes a vetcd cluster one member at a time, and back, with no downtime.
 * <ol>
 *   <li>each etcd member in turn is stopped and started again as vetcd on its own data dir;</li>
 *   <li>a fresh vetcd member joins by {@code member add} (it catches up from the log or a snapshot)
 *       and a converted one is removed;</li>
 *   <li>fresh real etcd members replace the vetcd members the same way, until the cluster is etcd again.</li>
 * </ol>
 * After every step: each member answers, their HashKV at one revision is equal, and at the end every
 * acknowledged put is there. Leadership must have been held by both implementations.
 */
class MixedClusterMigrationTest {
    private final Map<String, MemberProcess> nodes = new java.util.concurrent.ConcurrentSkipListMap<>();
    private final AtomicBoolean writing = new AtomicBoolean(true);
    private final Set<Integer> acked = ConcurrentHashMap.newKeySet();
    private final AtomicInteger failedAttempts = new AtomicInteger();
    private final Set<String> leaderKinds = ConcurrentHashMap.newKeySet();
    private Path root;

    @AfterEach
    void stopAll() throws Exception {
        writing.set(false);
        for (MemberProcess n : nodes.values()) n.stop();
        io.vetcd.testing.TempDirs.delete(root); // ~750 MiB of data dirs (etcd preallocates its WAL files)
    }

    @Test
    void etcdToVetcdAndBackUnderWriteLoad() throws Exception {
        Assumptions.assumeTrue(Cli.available("etcd") && Cli.available("etcdctl"), "etcd-server and etcd-client are installed");
        root = TempDirs.create("vetcd-mixed");
        for (int i = 0; i < 3; i++) nodes.put("m" + i, new MemberProcess("m" + i, root.resolve("m" + i)));
        String initial = String.join(",", nodes.values().stream().map(n -> n.name + "=" + n.peerUrl()).toList());
        List<Thread> starts = new ArrayList<>();
        for (MemberProcess n : nodes.values()) {
            Thread t = new Thread(() -> {
                try {
                    n.start(MemberProcess.Kind.ETCD, initial, "new", flags(MemberProcess.Kind.ETCD), 90);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            t.start();
            starts.add(t);
        }
        for (Thread t : starts) t.join();
        Thread writer = new Thread(this::writeLoad, "writer");
        writer.start();
        waitForWrites(100);
        checkConverged("etcd cluster");

        // 1. a fresh vetcd member joins the etcd cluster; etcd keeps 5,000 entries after a snapshot, so
        //    after a burst of writes the new member can only catch up from the etcd leader's snapshot
        burst(6000);
        MemberProcess joined = addMember("v3", MemberProcess.Kind.VETCD);
        assertTrue(joined.log.toString().contains("installed snapshot"), "v3 caught up without a snapshot:\n" + tail(joined.log));
        removeMember("m0");
        checkConverged("v3 joined as vetcd, m0 removed");

        // 2. the other etcd members restart as vetcd on their own data dirs
        for (String name : List.of("m1", "m2")) {
            MemberProcess n = nodes.get(name);
            n.stop();
            n.start(MemberProcess.Kind.VETCD, initial, "new", flags(MemberProcess.Kind.VETCD), 90);
            waitForWrites(acked.size() + 100);
            checkConverged(name + " now vetcd on its data dir");
        }

        // 3. back to etcd: fresh etcd members replace the vetcd ones; the first one joins an all-vetcd
        //    cluster whose leader keeps only 100 entries after a snapshot, so it gets a vetcd snapshot
        burst(1000);
        boolean first = true;
        for (String old : List.of("m1", "m2", "v3")) {
            addMember("e-" + old, MemberProcess.Kind.ETCD);
            if (first) {
                assertTrue(nodes.get("e-" + old).log.toString().contains("finished applying incoming snapshot"),
                    "the first etcd member caught up without a snapshot:\n" + tail(nodes.get("e-" + old).log));
                first = false;
            }
            removeMember(old);
            checkConverged("etcd replaced " + old);
        }
        writing.set(false);
        writer.join(30_000);

        // every acknowledged put is there, on every member (each read served by that member alone)
        for (MemberProcess n : nodes.values()) {
            Set<Integer> missing = new HashSet<>(acked);
            Cli.Result keys = Cli.etcdctl(n.endpoint(), "get", "load/", "--prefix", "--keys-only", "--consistency=s");
            assertEquals(0, keys.exitCode(), keys.output());
            for (String line : keys.output().lines().toList()) {
                if (line.startsWith("load/")) missing.remove(Integer.parseInt(line.substring(5)));
            }
            assertTrue(missing.isEmpty(), n.name + " (" + n.kind + ") lost acknowledged puts: " + missing);
        }
        assertTrue(leaderKinds.containsAll(Set.of("ETCD", "VETCD")), "leadership held by " + leaderKinds);
    }

    private MemberProcess addMember(String name, MemberProcess.Kind kind) throws Exception {
        MemberProcess n = new MemberProcess(name, root.resolve(name));
        Cli.Result add = null;
        for (int attempt = 0; attempt < 20; attempt++) {
            add = Cli.etcdctl(endpoints(), "member", "add", name, "--peer-urls=" + n.peerUrl());
            if (add.exitCode() == 0) break;
            Thread.sleep(1000); // "unhealthy cluster" while the last change settles
        }
        assertEquals(0, add.exitCode(), "member add " + name + ": " + add.output());
        String initial = add.output().lines().filter(l -> l.startsWith("ETCD_INITIAL_CLUSTER=")).findFirst().orElseThrow()
            .substring("ETCD_INITIAL_CLUSTER=".length()).replace("\"", "");
        nodes.put(name, n);
        n.start(kind, initial, "existing", flags(kind), 90);
        waitForWrites(acked.size() + 200);
        return n;
    }

    private void removeMember(String name) throws Exception {
        MemberProcess n = nodes.get(name);
        String id = null;
        for (Object o : new JsonObject(Cli.etcdctl(endpoints(), "member", "list", "-w", "json").output()).getJsonArray("members")) {
            JsonObject m = (JsonObject) o;
            if (name.equals(m.getString("name"))) id = Long.toHexString(m.getLong("ID"));
        }
        assertTrue(id != null, name + " is not a member");
        Cli.Result rm = null;
        for (int attempt = 0; attempt < 20; attempt++) {
            rm = Cli.etcdctl(otherEndpoints(name), "member", "remove", id);
            if (rm.exitCode() == 0) break;
            Thread.sleep(1000);
        }
        assertEquals(0, rm.exitCode(), "member remove " + name + ": " + rm.output());
        nodes.remove(name);
        n.stop();
        waitForWrites(acked.size() + 100);
    }

    /** Every member answers, agrees on the revision and on HashKV there; who leads is noted. */
    private void checkConverged(String step) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        String last = "";
        while (System.nanoTime() < deadline) {
            Cli.Result st = Cli.etcdctl(endpoints(), "endpoint", "status", "-w", "json");
            if (st.exitCode() == 0) {
                JsonArray a = new JsonArray(st.output());
                long rev = Long.MAX_VALUE;
                long leader = 0;
                for (Object o : a) {
                    JsonObject s = ((JsonObject) o).getJsonObject("Status");
                    rev = Math.min(rev, s.getJsonObject("header").getLong("revision"));
                    leader = s.getLong("leader");
                }
                Cli.Result h = Cli.etcdctl(endpoints(), "endpoint", "hashkv", "--rev=" + rev, "-w", "json");
                if (h.exitCode() == 0) {
                    Set<Long> hashes = new HashSet<>();
                    for (Object o : new JsonArray(h.output())) hashes.add(((JsonObject) o).getJsonObject("HashKV").getLong("hash"));
                    if (hashes.size() == 1) {
                        noteLeader(leader, a);
                        return;
                    }
                    last = h.output();
                } else {
                    last = h.output();
                }
            } else {
                last = st.output();
            }
            Thread.sleep(500);
        }
        StringBuilder logs = new StringBuilder();
        for (MemberProcess n : nodes.values()) logs.append("==== ").append(n.name).append(" (").append(n.kind).append(")\n").append(tail(n.log));
        throw new AssertionError(step + ": members did not converge: " + last + "\n" + logs);
    }

    private void noteLeader(long leader, JsonArray statuses) {
        for (Object o : statuses) {
            JsonObject e = (JsonObject) o;
            if (e.getJsonObject("Status").getJsonObject("header").getLong("member_id") == leader) {
                for (MemberProcess n : nodes.values()) {
                    if (e.getString("Endpoint").contains(n.endpoint())) leaderKinds.add(n.kind.name());
                }
            }
        }
    }

    /** Many puts at once (jetcd, 64 in flight), acknowledged like the steady load's. */
    private void burst(int n) throws Exception {
        List<String> eps = nodes.values().stream().filter(x -> x.running()).map(x -> "http://" + x.endpoint()).toList();
        try (io.etcd.jetcd.Client c = io.etcd.jetcd.Client.builder().endpoints(eps.toArray(String[]::new)).build()) {
            java.util.concurrent.Semaphore inFlight = new java.util.concurrent.Semaphore(64);
            AtomicInteger failed = new AtomicInteger();
            for (int i = 0; i < n; i++) {
                inFlight.acquire();
                c.getKVClient().put(io.etcd.jetcd.ByteSequence.from("burst/" + i, StandardCharsets.UTF_8),
                        io.etcd.jetcd.ByteSequence.from(new byte[256]))
                    .whenComplete((r, e) -> {
                        if (e != null) failed.incrementAndGet();
                        inFlight.release();
                    });
            }
            inFlight.acquire(64);
            assertEquals(0, failed.get(), "burst puts failed");
        }
    }

    private void writeLoad() {
        int seq = 0;
        while (writing.get() && seq < 1_000_000) {
            Cli.Result r = Cli.etcdctl(endpoints(), "put", "load/" + seq, "v" + seq);
            if (r.exitCode() == 0) {
                acked.add(seq++);
            } else {
                failedAttempts.incrementAndGet(); // retried with the same key: a put is idempotent here
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    private void waitForWrites(int target) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (acked.size() < target && System.nanoTime() < deadline) Thread.sleep(100);
        assertTrue(acked.size() >= target, "writes stalled at " + acked.size() + " (wanted " + target + ", "
            + failedAttempts.get() + " failed attempts)");
    }

    private String endpoints() {
        return String.join(",", nodes.values().stream().filter(n -> n.running()).map(MemberProcess::endpoint).toList());
    }

    private String otherEndpoints(String name) {
        return String.join(",", nodes.values().stream().filter(n -> n.running() && !n.name.equals(name)).map(MemberProcess::endpoint).toList());
    }

    /**
     * etcd 3.4 keeps 5,000 entries after a snapshot (not a flag before 3.5); vetcd keeps fewer here, so a
     * member that joins later has to catch up from a snapshot.
     */
    private static List<String> flags(MemberProcess.Kind kind) {
        List<String> f = new ArrayList<>(List.of("--initial-cluster-token", "mixed", "--snapshot-count", "500"));
        if (kind == MemberProcess.Kind.VETCD) f.addAll(List.of("--experimental-snapshot-catchup-entries", "100"));
        return f;
    }

    private static String tail(CharSequence log) {
        String s = log.toString();
        return s.length() > 6000 ? s.substring(s.length() - 6000) : s;
    }
}
