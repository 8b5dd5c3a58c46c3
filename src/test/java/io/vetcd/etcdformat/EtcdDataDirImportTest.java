package io.vetcd.etcdformat;

import io.vetcd.testing.TempDirs;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vetcd.testing.Cli;
import io.vetcd.testing.Ports;
import io.vetcd.testing.ServerProcess;
import io.vetcd.wal.WalOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * vetcd started where etcd 3.4 ran: on the data directory of a cleanly stopped etcd member, and on
 * one written by {@code etcdctl snapshot restore} (etcd's TestIssue6361 flow: restore, start, add a
 * member, start it with --initial-cluster-state existing). Real etcd and etcdctl, real vetcd processes.
 */
class EtcdDataDirImportTest {
    private static Path dir;
    private static Path etcdData;
    private static Path snapshot;
    private static int clientPort;
    private static int peerPort;
    private static JsonArray expectedKvs;
    private static long revision;
    private static long compactRevision;
    private static String memberId;
    private static String clusterId;
    private static String leaseId;

    @BeforeAll
    static void runRealEtcd() throws Exception {
        Assumptions.assumeTrue(Cli.available("etcd") && Cli.available("etcdctl"), "etcd-server and etcd-client are installed");
        dir = TempDirs.create("etcd-import");
        etcdData = dir.resolve("etcd-data");
        try (RealEtcd etcd = RealEtcd.start(etcdData)) {
            clientPort = etcd.clientPort;
            peerPort = etcd.peerPort;
            for (int i = 0; i < 30; i++) etcd.put("a" + i, "value-" + i);
            for (int i = 0; i < 3; i++) etcd.put("a1", "again-" + i);
            ok(etcd.ctl("del", "a3"));
            ok(etcd.ctl("del", "a20", "a25"));
            compactRevision = etcd.put("a2", "before-compaction");
            etcd.put("a2", "after-compaction");
            ok(etcd.ctl("compact", Long.toString(compactRevision)));
            leaseId = ok(etcd.ctl("lease", "grant", "600")).split("\\s+")[1];
            ok(etcd.ctl("put", "leased", "x", "--lease=" + leaseId));
            revision = etcd.put("last", "written by etcd");
            expectedKvs = json(etcd.ctl("get", "", "--from-key", "-w", "json")).getJsonArray("kvs");
            JsonObject header = new JsonArray(ok(etcd.ctl("endpoint", "status", "-w", "json")))
                .getJsonObject(0).getJsonObject("Status").getJsonObject("header");
            memberId = String.valueOf(header.getValue("member_id"));
            clusterId = String.valueOf(header.getValue("cluster_id"));
            snapshot = dir.resolve("snapshot.db");
            ok(etcd.ctl("snapshot", "save", snapshot.toString()));
        }
    }

    @AfterAll
    static void cleanUp() {
        if (dir != null) Cli.run(List.of("rm", "-rf", dir.toString()));
    }

    @Test
    void takesOverTheDataDirectoryOfAStoppedEtcdMember() throws Exception {
        Path data = copyOf(etcdData, "takeover");
        try (ServerProcess vetcd = vetcd("node1", data, clientPort, peerPort, List.of())) {
            assertTrue(vetcd.output().contains("imported etcd data directory"), vetcd.output());
            String ep = vetcd.endpoint();
            assertEquals(expectedKvs, json(Cli.etcdctl(ep, "get", "", "--from-key", "-w", "json")).getJsonArray("kvs"));
            assertTrue(ok(Cli.etcdctl(ep, "get", "a2", "--rev=" + compactRevision)).contains("before-compaction"));
            Cli.Result compacted = Cli.etcdctl(ep, "get", "a2", "--rev=" + (compactRevision - 1));
            assertTrue(compacted.output().contains("required revision has been compacted"), compacted.output());

            String ttl = ok(Cli.etcdctl(ep, "lease", "timetolive", leaseId, "--keys"));
            assertTrue(ttl.contains("granted with TTL(600s)") && ttl.contains("attached keys([leased])"), ttl);

            JsonObject members = json(Cli.etcdctl(ep, "member", "list", "-w", "json"));
            assertEquals(clusterId, String.valueOf(members.getJsonObject("header").getValue("cluster_id")));
            assertEquals(1, members.getJsonArray("members").size());
            JsonObject m = members.getJsonArray("members").getJsonObject(0);
            assertEquals(memberId, String.valueOf(m.getValue("ID")));
            assertEquals("node1", m.getString("name"));
            assertEquals(new JsonArray().add("http://127.0.0.1:" + peerPort), m.getJsonArray("peerURLs"));
            JsonObject status = new JsonArray(ok(Cli.etcdctl(ep, "endpoint", "status", "-w", "json")))
                .getJsonObject(0).getJsonObject("Status").getJsonObject("header");
            assertEquals(memberId, String.valueOf(status.getValue("member_id")));
            assertEquals(clusterId, String.valueOf(status.getValue("cluster_id")));

            JsonObject put = json(Cli.etcdctl(ep, "put", "new", "by vetcd", "-w", "json"));
            assertEquals(revision + 1, Long.parseLong(String.valueOf(put.getJsonObject("header").getValue("revision"))));
        }
        Path member = data.resolve("member");
        assertTrue(BoltReader.isBoltFile(member.resolve("snap.etcd3/db")), "etcd's backend kept for a roll-back");
        assertTrue(EtcdWalReader.isEtcdWal(member.resolve("wal.etcd3")), "etcd's WAL kept for a roll-back");
        assertFalse(EtcdWalReader.isEtcdWal(member.resolve("wal")), "member/wal is vetcd's own now");

        // a restart uses vetcd's own data: nothing is imported again and the write after the import is there
        try (ServerProcess vetcd = vetcd("node1", data, clientPort, peerPort, List.of())) {
            assertFalse(vetcd.output().contains("imported etcd data directory"), vetcd.output());
            assertTrue(ok(Cli.etcdctl(vetcd.endpoint(), "get", "new")).contains("by vetcd"));
            assertEquals(expectedKvs.size() + 1,
                json(Cli.etcdctl(vetcd.endpoint(), "get", "", "--from-key", "-w", "json")).getJsonArray("kvs").size());
        }
    }

    @Test
    void startsFromSnapshotRestoreAndAMemberAddedLaterCatchesUp() throws Exception {
        Path data = dir.resolve("restored");
        int c1 = Ports.free();
        int p1 = Ports.free();
        String peer1 = "http://127.0.0.1:" + p1;
        ok(Cli.run(List.of("etcdctl", "snapshot", "restore", snapshot.toString(), "--name", "m1", "--data-dir", data.toString(),
            "--initial-cluster", "m1=" + peer1, "--initial-cluster-token", "restored-token",
            "--initial-advertise-peer-urls", peer1)));
        try (ServerProcess first = vetcd("m1", data, c1, p1, List.of("--initial-cluster-token", "restored-token"))) {
            assertTrue(first.output().contains("imported etcd data directory"), first.output());
            assertEquals(expectedKvs, json(Cli.etcdctl(first.endpoint(), "get", "", "--from-key", "-w", "json")).getJsonArray("kvs"));
            JsonObject members = json(Cli.etcdctl(first.endpoint(), "member", "list", "-w", "json"));
            assertEquals(1, members.getJsonArray("members").size());
            assertEquals("m1", members.getJsonArray("members").getJsonObject(0).getString("name"));
            assertNotEquals(memberId, String.valueOf(members.getJsonArray("members").getJsonObject(0).getValue("ID")),
                "a restore starts a new cluster with new ids");

            int c2 = Ports.free();
            int p2 = Ports.free();
            String peer2 = "http://127.0.0.1:" + p2;
            ok(Cli.etcdctl(first.endpoint(), "member", "add", "m2", "--peer-urls", peer2));
            List<String> second = new ArrayList<>(List.of("--name", "m2", "--data-dir", dir.resolve("second").toString(),
                "--listen-client-urls", "http://127.0.0.1:" + c2, "--advertise-client-urls", "http://127.0.0.1:" + c2,
                "--listen-peer-urls", peer2, "--initial-advertise-peer-urls", peer2,
                "--initial-cluster", "m1=" + peer1 + ",m2=" + peer2, "--initial-cluster-state", "existing"));
            try (ServerProcess joined = ServerProcess.vetcdWith(Map.of(), c2, p2, dir.resolve("second"), second)) {
                assertEquals(expectedKvs, json(Cli.etcdctl(joined.endpoint(), "get", "", "--from-key", "-w", "json")).getJsonArray("kvs"));
                ok(Cli.etcdctl(joined.endpoint(), "put", "from-m2", "yes"));
                assertTrue(ok(Cli.etcdctl(first.endpoint(), "get", "from-m2")).contains("yes"));
                assertEquals(2, json(Cli.etcdctl(joined.endpoint(), "member", "list", "-w", "json")).getJsonArray("members").size());
            }
        }
    }

    @Test
    void replaysWhatEtcdCommittedButNeverAppliedToItsBackend() throws Exception {
        Path data = dir.resolve("killed");
        RealEtcd etcd = RealEtcd.start(data, "--backend-batch-interval", "30s", "--backend-batch-limit", "1000000");
        JsonArray expectedAfterKill;
        try {
            for (int i = 0; i < 20; i++) etcd.put("r" + i, "v" + i);
            ok(etcd.ctl("del", "r5"));
            ok(etcd.ctl("lease", "grant", "500"));
            expectedAfterKill = json(etcd.ctl("get", "r", "--prefix", "-w", "json")).getJsonArray("kvs");
        } finally {
            etcd.kill9(); // the backend never committed: everything is in the WAL only
        }
        try (ServerProcess vetcd = vetcd("node1", data, etcd.clientPort, etcd.peerPort, List.of())) {
            assertTrue(vetcd.output().contains("raft applied index 0"), vetcd.output());
            assertEquals(expectedAfterKill, json(Cli.etcdctl(vetcd.endpoint(), "get", "r", "--prefix", "-w", "json")).getJsonArray("kvs"));
            assertTrue(ok(Cli.etcdctl(vetcd.endpoint(), "lease", "list")).contains("found 1 leases"));
            JsonObject m = json(Cli.etcdctl(vetcd.endpoint(), "member", "list", "-w", "json")).getJsonArray("members").getJsonObject(0);
            assertEquals("node1", m.getString("name"));
        }
    }

    @Test
    void takesOverAMemberWhoseLogStartsAfterEtcdSnapshots() throws Exception {
        Path data = dir.resolve("snapshotted");
        RealEtcd etcd = RealEtcd.start(data, "--snapshot-count", "10");
        JsonArray expected;
        try (etcd) {
            for (int i = 0; i < 60; i++) etcd.put("s" + (i % 25), "v" + i);
            expected = json(etcd.ctl("get", "s", "--prefix", "-w", "json")).getJsonArray("kvs");
        }
        try (Stream<Path> snaps = Files.list(data.resolve("member/snap"))) {
            assertTrue(snaps.anyMatch(p -> p.toString().endsWith(".snap")), "etcd wrote raft snapshots");
        }
        try (ServerProcess vetcd = vetcd("node1", data, etcd.clientPort, etcd.peerPort, List.of())) {
            assertEquals(expected, json(Cli.etcdctl(vetcd.endpoint(), "get", "s", "--prefix", "-w", "json")).getJsonArray("kvs"));
            JsonObject m = json(Cli.etcdctl(vetcd.endpoint(), "member", "list", "-w", "json")).getJsonArray("members").getJsonObject(0);
            assertEquals("node1", m.getString("name"));
            assertEquals(new JsonArray().add("http://127.0.0.1:" + etcd.peerPort), m.getJsonArray("peerURLs"));
        }
    }

    @Test
    void takesOverADirectoryWithAuthEnabledKeepingUsersRolesAndPasswords() throws Exception {
        Path data = dir.resolve("auth");
        RealEtcd etcd = RealEtcd.start(data);
        try (etcd) {
            etcd.put("secret", "x");
            etcd.put("app/k", "v");
            ok(etcd.ctl("user", "add", "root", "--new-user-password=pw"));
            ok(etcd.ctl("user", "add", "app", "--new-user-password=apppw"));
            ok(etcd.ctl("role", "add", "appr"));
            ok(etcd.ctl("role", "grant-permission", "appr", "--prefix=true", "readwrite", "app/"));
            ok(etcd.ctl("user", "grant-role", "app", "appr"));
            ok(etcd.ctl("auth", "enable"));
            // an entry proposed by a user, still in the WAL only if the backend has not committed it
            ok(etcd.ctl("--user", "app:apppw", "put", "app/k2", "v2"));
        }
        try (ServerProcess vetcd = vetcd("node1", data, etcd.clientPort, etcd.peerPort, List.of())) {
            Cli.Result anonymous = Cli.etcdctl(vetcd.endpoint(), "get", "secret");
            assertTrue(anonymous.exitCode() != 0 && anonymous.output().contains("user name is empty"), anonymous.output());
            Cli.Result denied = Cli.etcdctl(vetcd.endpoint(), "--user", "app:apppw", "get", "secret");
            assertTrue(denied.exitCode() != 0 && denied.output().contains("permission denied"), denied.output());
            Cli.Result wrong = Cli.etcdctl(vetcd.endpoint(), "--user", "app:nope", "get", "app/k");
            assertTrue(wrong.exitCode() != 0 && wrong.output().contains("authentication failed"), wrong.output());
            assertTrue(ok(Cli.etcdctl(vetcd.endpoint(), "--user", "app:apppw", "get", "app/", "--prefix")).contains("v2"));
            assertTrue(ok(Cli.etcdctl(vetcd.endpoint(), "--user", "root:pw", "get", "secret")).contains("x"));
            assertTrue(ok(Cli.etcdctl(vetcd.endpoint(), "--user", "root:pw", "role", "get", "appr")).contains("[app/, app0)"));
        }
    }

    @Test
    void aDamagedBackendFailsTheStartAndLeavesEtcdFilesAsTheyWere() throws Exception {
        Path data = copyOf(etcdData, "damaged");
        Path member = data.resolve("member");
        Path db = member.resolve("snap/db");
        try (RandomAccessFile f = new RandomAccessFile(db.toFile(), "rw")) {
            // both meta pages' root pointers: neither checksum matches any more
            for (long off : new long[]{16 + 16, 4096 + 16 + 16}) {
                f.seek(off);
                f.write(0x7F);
            }
        }
        Map<String, String> before = digests(data);
        EtcdFormatException e = assertThrows(EtcdFormatException.class,
            () -> new EtcdDataDirImport(member, member.resolve("wal"), WalOptions.defaults()).run());
        assertTrue(e.getMessage().contains("etcd's files are left as they were"), e.getMessage());
        assertEquals(before, digests(data));
        assertTrue(e.getMessage().contains("not a bbolt database"), e.getMessage());
        assertTrue(EtcdDataDirImport.applies(member, member.resolve("wal")), "still etcd's: the next start fails the same way");
    }

    @Test
    void anImportInterruptedBetweenRenamesIsUndoneAndRedone() throws Exception {
        Path data = copyOf(etcdData, "interrupted");
        Path member = data.resolve("member");
        // as if a crash hit after etcd's WAL was moved aside and a partial vetcd WAL moved in
        Files.move(member.resolve("wal"), member.resolve("wal.etcd3"));
        Files.createDirectories(member.resolve("wal"));
        Files.writeString(member.resolve("wal/0000000000000000-0000000000000000.wal"), "partial");
        Files.createDirectories(member.resolve("db.importing"));
        assertTrue(EtcdDataDirImport.applies(member, member.resolve("wal")));
        EtcdDataDirImport.Summary s = new EtcdDataDirImport(member, member.resolve("wal"), WalOptions.defaults()).run();
        assertEquals(revision, s.revision());
        assertEquals(1, s.leases());
        assertEquals(expectedKvs.size(), s.keys());
        assertFalse(Files.exists(member.resolve("db.importing")));
        assertFalse(EtcdDataDirImport.applies(member, member.resolve("wal")), "imported once");
    }

    // ---- helpers

    private static ServerProcess vetcd(String name, Path data, int c, int p, List<String> extra) throws Exception {
        List<String> args = new ArrayList<>(RealEtcd.flags(name, data, c, p));
        args.addAll(extra);
        return ServerProcess.vetcdWith(Map.of(), c, p, data, args);
    }

    private static Path copyOf(Path src, String name) throws Exception {
        Path dst = dir.resolve(name);
        ok(Cli.run(List.of("cp", "-r", src.toString(), dst.toString())));
        return dst;
    }

    private static Map<String, String> digests(Path root) throws Exception {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.toList()) {
                String rel = root.relativize(p).toString();
                out.put(rel, Files.isDirectory(p) ? "dir"
                    : HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p))));
            }
        }
        return out;
    }

    private static String ok(Cli.Result r) {
        assertEquals(0, r.exitCode(), r.output());
        return r.output();
    }

    /** The JSON object etcdctl printed (it may log lines before it). */
    private static JsonObject json(Cli.Result r) {
        String out = ok(r);
        return new JsonObject(out.substring(out.indexOf("{\"header\"")).trim());
    }
}
