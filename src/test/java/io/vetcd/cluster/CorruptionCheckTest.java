package io.vetcd.cluster;

import io.vetcd.testing.TempDirs;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vetcd.testing.Cli;
import io.vetcd.testing.MemberProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.DBOptions;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksIterator;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * etcd's corruption checks in a mixed cluster (one real etcd member, two vetcd members): a vetcd
 * member whose stored value was changed behind raft's back (same revision, other bytes) is refused at
 * start with {@code --experimental-initial-corrupt-check}, in etcd's words; started without it, the
 * leader's periodic check ({@code --experimental-corrupt-check-time}), etcd's or vetcd's, raises a
 * CORRUPT alarm (for member 0, as etcd 3.4.23 does), and writes then fail with {@code etcdserver: corrupt cluster}.
 */
class CorruptionCheckTest {
    private final List<MemberProcess> members = new ArrayList<>();
    private Path root;

    @AfterEach
    void stop() throws Exception {
        for (MemberProcess m : members) m.stop();
        io.vetcd.testing.TempDirs.delete(root); // etcd preallocates 64 MiB WAL files: do not leave them behind
    }

    @Test
    void divergentMemberIsRefusedAtStartAndAlarmedByTheLeader() throws Exception {
        Assumptions.assumeTrue(Cli.available("etcd") && Cli.available("etcdctl"), "etcd-server and etcd-client are installed");
        root = TempDirs.create("vetcd-corrupt");
        for (int i = 0; i < 3; i++) members.add(new MemberProcess("c" + i, root.resolve("c" + i)));
        String initial = String.join(",", members.stream().map(m -> m.name + "=" + m.peerUrl()).toList());
        List<String> flags = List.of("--initial-cluster-token", "corrupt", "--experimental-corrupt-check-time", "2s");
        List<Thread> starts = new ArrayList<>();
        for (MemberProcess m : members) {
            MemberProcess.Kind kind = m == members.get(0) ? MemberProcess.Kind.ETCD : MemberProcess.Kind.VETCD;
            Thread t = new Thread(() -> {
                try {
                    m.start(kind, initial, "new", flags, 90);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            t.start();
            starts.add(t);
        }
        for (Thread t : starts) t.join();
        String all = endpoints();
        put(all, "victim", "corrupt-me");
        for (int i = 0; i < 10; i++) put(all, "k" + i, "v" + i);
        awaitEqualHashes();

        MemberProcess victim = members.get(2);
        String victimId = memberId(victim);
        victim.stop();
        assertTrue(tamper(victim.dataDir.resolve("member").resolve("db")) > 0, "the value was found in the backend");

        // 1. with the initial check the start is refused, as etcd refuses it
        List<String> withCheck = new ArrayList<>(flags);
        withCheck.add("--experimental-initial-corrupt-check=true");
        int code = victim.startExpectingExit(MemberProcess.Kind.VETCD, initial, "new", withCheck, 60);
        assertNotEquals(0, code);
        assertTrue(victim.log.toString().contains(String.format("%016x found data inconsistency with peers",
            Long.parseUnsignedLong(victimId, 16))), victim.tail());

        // 2. without it, the leader's periodic check finds the difference and raises CORRUPT for that member
        victim.start(MemberProcess.Kind.VETCD, initial, "new", flags, 90);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        String alarms = "";
        while (System.nanoTime() < deadline) {
            alarms = Cli.etcdctl(endpoints(), "alarm", "list").output();
            if (alarms.contains("alarm:CORRUPT")) break;
            Thread.sleep(500);
        }
        // etcd 3.4.23 raises it for member 0: one leader cannot tell which side diverged
        // (etcdctl prints an AlarmMember as protobuf text, which leaves out a zero memberID)
        assertTrue(alarms.lines().anyMatch(l -> l.trim().equals("alarm:CORRUPT")),
            alarms + " (victim " + victimId + ")\n" + Cli.etcdctl(endpoints(), "member", "list").output() + hashLines());
        Cli.Result put = Cli.etcdctl(members.get(1).endpoint(), "put", "after", "x");
        assertNotEquals(0, put.exitCode());
        assertTrue(put.output().contains("etcdserver: corrupt cluster"), put.output());
        Cli.Result etcdPut = Cli.etcdctl(members.get(0).endpoint(), "put", "after", "x");
        assertTrue(etcdPut.output().contains("etcdserver: corrupt cluster"), "etcd applies the alarm as well: " + etcdPut.output());
    }

    /** A put, retried while the new cluster settles (first election, cluster version). */
    private static void put(String endpoints, String key, String value) throws InterruptedException {
        Cli.etcdctlUntilOk(endpoints, 20, 500, "put", key, value);
    }

    /** Changes the stored bytes of the value "corrupt-me" in every column family, keeping its revision. */
    private static int tamper(Path db) throws Exception {
        RocksDB.loadLibrary();
        byte[] from = "corrupt-me".getBytes(StandardCharsets.UTF_8);
        byte[] to = "CORRUPT-ME".getBytes(StandardCharsets.UTF_8);
        List<byte[]> names;
        try (Options o = new Options()) {
            names = RocksDB.listColumnFamilies(o, db.toString());
        }
        List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
        for (byte[] n : names) descriptors.add(new ColumnFamilyDescriptor(n));
        List<ColumnFamilyHandle> handles = new ArrayList<>();
        int changed = 0;
        try (DBOptions o = new DBOptions(); RocksDB rocks = RocksDB.open(o, db.toString(), descriptors, handles)) {
            for (ColumnFamilyHandle h : handles) {
                List<byte[][]> writes = new ArrayList<>();
                try (RocksIterator it = rocks.newIterator(h)) {
                    for (it.seekToFirst(); it.isValid(); it.next()) {
                        byte[] v = it.value();
                        int at = indexOf(v, from);
                        if (at < 0) continue;
                        byte[] nv = v.clone();
                        System.arraycopy(to, 0, nv, at, to.length);
                        writes.add(new byte[][]{it.key(), nv});
                    }
                }
                for (byte[][] w : writes) rocks.put(h, w[0], w[1]);
                changed += writes.size();
            }
            handles.forEach(ColumnFamilyHandle::close);
        }
        return changed;
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) if (hay[i + j] != needle[j]) continue outer;
            return i;
        }
        return -1;
    }

    private void awaitEqualHashes() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        String last = "";
        while (System.nanoTime() < deadline) {
            Cli.Result h = Cli.etcdctl(endpoints(), "endpoint", "hashkv", "-w", "json");
            last = h.output();
            if (h.exitCode() == 0) {
                Set<Long> hashes = new HashSet<>();
                Set<Long> revs = new HashSet<>();
                for (Object o : new JsonArray(h.output())) {
                    JsonObject kv = ((JsonObject) o).getJsonObject("HashKV");
                    hashes.add(kv.getLong("hash"));
                    revs.add(kv.getJsonObject("header").getLong("revision"));
                }
                if (hashes.size() == 1 && revs.size() == 1) return;
            }
            Thread.sleep(300);
        }
        throw new AssertionError("hashes never agreed: " + last);
    }

    private static String memberId(MemberProcess m) {
        JsonArray st = new JsonArray(Cli.etcdctl(m.endpoint(), "endpoint", "status", "-w", "json").output());
        return Long.toHexString(st.getJsonObject(0).getJsonObject("Status").getJsonObject("header").getLong("member_id"));
    }

    private String hashLines() {
        StringBuilder sb = new StringBuilder();
        for (MemberProcess m : members) {
            sb.append("==== ").append(m.name).append(' ').append(m.kind).append('\n');
            m.log.toString().lines().filter(l -> l.contains("hash") || l.contains("corrupt") || l.contains("leader")
                || l.contains("CORRUPT")).forEach(l -> sb.append(l).append('\n'));
        }
        return sb.toString();
    }

    private String endpoints() {
        return String.join(",", members.stream().filter(MemberProcess::running).map(MemberProcess::endpoint).toList());
    }
}
