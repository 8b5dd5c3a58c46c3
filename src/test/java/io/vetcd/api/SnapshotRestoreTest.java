package io.vetcd.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import io.vetcd.pb.etcdserver.HashRequest;
import io.vetcd.pb.etcdserver.MaintenanceGrpcClient;
import io.vetcd.testing.Cli;
import io.vetcd.testing.InJvmMember;
import io.vetcd.testing.Ports;
import io.vetcd.testing.ServerProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code etcdctl snapshot save} against vetcd gives a file that etcd's own tools and etcd itself
 * take: the same history is written against vetcd and a real etcd 3.4; both snapshots must have
 * the same {@code snapshot status} revision and key count (so the bucket layout matches etcd's),
 * and a real etcd started on the directory restored from vetcd's snapshot serves the same keys,
 * values, revisions, history above the compaction, and lease.
 */
class SnapshotRestoreTest {
    @TempDir Path tmp;

    private static Cli.Result ok(Cli.Result r) {
        assertEquals(0, r.exitCode(), r.output());
        return r;
    }

    private static JsonObject json(Cli.Result r) {
        ok(r);
        return new JsonObject(r.output().substring(r.output().indexOf('{')));
    }

    /** Puts, deletes before and after a compaction, a lease; returns the lease id (hex). */
    private static String writeHistory(Function<String[], Cli.Result> ctl) {
        for (int i = 0; i < 20; i++) ok(ctl.apply(new String[]{"put", "k" + (i % 7), "v" + i}));
        ok(ctl.apply(new String[]{"del", "k1"}));          // tombstone below the compaction: dropped
        ok(ctl.apply(new String[]{"put", "gone", "x"}));
        ok(ctl.apply(new String[]{"del", "gone"}));
        String lease = ctl.apply(new String[]{"lease", "grant", "300"}).output().split("\\s+")[1];
        ok(ctl.apply(new String[]{"put", "--lease=" + lease, "leased", "l"}));
        long rev = json(ctl.apply(new String[]{"get", "-w", "json", "k0"})).getJsonObject("header").getLong("revision");
        ok(ctl.apply(new String[]{"compact", "--physical", String.valueOf(rev - 1)}));
        ok(ctl.apply(new String[]{"put", "k2", "after"}));
        ok(ctl.apply(new String[]{"del", "k3"}));          // tombstone above the compaction: kept
        ok(ctl.apply(new String[]{"put", "k\u00e9t\u00e9", "utf8"}));
        return lease;
    }

    private static JsonObject snapshotStatus(Path file) {
        return json(Cli.run(List.of("etcdctl", "--write-out", "json", "snapshot", "status", file.toString())));
    }

    private static Path save(String endpoint, Path file) {
        Cli.Result r = ok(Cli.etcdctl(endpoint, "snapshot", "save", file.toString()));
        assertTrue(r.output().contains("Snapshot saved at " + file), r.output());
        return file;
    }

    /** Every key at the current revision with all its fields, plus the header revision. */
    private static JsonObject all(String endpoint, String... extra) {
        List<String> args = new ArrayList<>(List.of("get", "", "--prefix", "-w", "json"));
        args.addAll(List.of(extra));
        JsonObject o = json(Cli.etcdctl(endpoint, args.toArray(String[]::new)));
        JsonArray kvs = o.getJsonArray("kvs", new JsonArray());
        return new JsonObject().put("revision", o.getJsonObject("header").getLong("revision")).put("kvs", kvs);
    }

    @Test
    void etcdRestoredFromVetcdSnapshotServesTheSameData() throws Exception {
        Assumptions.assumeTrue(Cli.available("etcd") && Cli.available("etcdctl"), "etcd-server and etcd-client are installed");
        Path vetcdSnap = tmp.resolve("vetcd.db");
        Path etcdSnap = tmp.resolve("etcd.db");
        String lease;
        JsonObject before;
        JsonObject history;
        try (InJvmMember vetcd = InJvmMember.start(); ServerProcess etcd = ServerProcess.realEtcd()) {
            lease = writeHistory(a -> Cli.etcdctl(vetcd.endpoint(), a));
            String etcdLease = writeHistory(a -> Cli.etcdctl(etcd.endpoint(), a));
            save(vetcd.endpoint(), vetcdSnap);
            save(etcd.endpoint(), etcdSnap);
            before = all(vetcd.endpoint());
            history = all(vetcd.endpoint(), "--rev", String.valueOf(before.getLong("revision") - 2));
            assertEquals(all(etcd.endpoint()).getLong("revision"), before.getLong("revision"));
            assertNotEquals("", etcdLease);
            try (Stream<Path> left = Files.list(vetcd.dataDir.resolve("member"))) {
                assertEquals(List.of(), left.filter(p -> p.getFileName().toString().startsWith("snap.")).toList(),
                    "temporary snapshot files are removed");
            }
        }

        JsonObject ours = snapshotStatus(vetcdSnap);
        JsonObject theirs = snapshotStatus(etcdSnap);
        assertEquals(theirs.getLong("revision"), ours.getLong("revision"), "etcd " + theirs + " vetcd " + ours);
        assertEquals(theirs.getInteger("totalKey"), ours.getInteger("totalKey"), "etcd " + theirs + " vetcd " + ours);
        assertEquals(before.getLong("revision"), ours.getLong("revision"));

        int peer = Ports.free();
        int client = Ports.free();
        Path restored = tmp.resolve("restored");
        Cli.Result r = ok(Cli.run(List.of("etcdctl", "snapshot", "restore", vetcdSnap.toString(),
            "--name", "node1", "--data-dir", restored.toString(),
            "--initial-cluster", "node1=http://127.0.0.1:" + peer,
            "--initial-advertise-peer-urls", "http://127.0.0.1:" + peer)));
        assertTrue(r.output().contains("added member"), r.output());

        try (ServerProcess etcd = ServerProcess.realEtcdOn(restored, client, peer)) {
            JsonObject after = all(etcd.endpoint());
            assertEquals(before, after);
            assertEquals(history, all(etcd.endpoint(), "--rev", String.valueOf(before.getLong("revision") - 2)));
            Cli.Result compacted = Cli.etcdctl(etcd.endpoint(), "get", "k0", "--rev", "2");
            assertTrue(compacted.output().contains("required revision has been compacted"), compacted.output());
            JsonObject ttl = json(Cli.etcdctl(etcd.endpoint(), "lease", "timetolive", lease, "--keys", "-w", "json"));
            assertEquals(300, ttl.getLong("granted-ttl"), ttl.encode());
            assertEquals(1, ttl.getJsonArray("keys").size(), ttl.encode());
            // and it keeps going from there
            ok(Cli.etcdctl(etcd.endpoint(), "put", "new", "n"));
            assertEquals(before.getLong("revision") + 1, all(etcd.endpoint()).getLong("revision"));
        }
    }

    @Test
    void hashIsStableAndChangesWithData() throws Exception {
        Assumptions.assumeTrue(Cli.available("etcdctl"), "etcd-client is installed");
        try (InJvmMember vetcd = InJvmMember.start()) {
            ok(Cli.etcdctl(vetcd.endpoint(), "put", "a", "1"));
            long h1 = hash(vetcd);
            assertEquals(h1, hash(vetcd));
            ok(Cli.etcdctl(vetcd.endpoint(), "put", "a", "2"));
            assertNotEquals(h1, hash(vetcd));
        }
    }

    private static long hash(InJvmMember m) {
        MaintenanceGrpcClient client = MaintenanceGrpcClient.create(GrpcClient.client(m.vertx),
            SocketAddress.inetSocketAddress(m.clientPort, "127.0.0.1"));
        return Integer.toUnsignedLong(client.hash(HashRequest.getDefaultInstance()).await().getHash());
    }
}
