package io.vetcd.cluster;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vetcd.testing.Cli;
import io.vetcd.testing.ProcessCluster;
import io.vetcd.testing.TempDirs;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An operator's way back from a lost quorum, as with etcd: two of three members are gone for good
 * (kill -9), the survivor is restarted with {@code --force-new-cluster}, serves alone with its data,
 * keeps serving alone when restarted without the flag, and grows back with {@code member add}.
 * The same steps run against real etcd members (the reference), against vetcd members, on a mixed
 * cluster whose survivor is the one vetcd member, and on an etcd cluster whose survivor comes back as
 * vetcd on etcd's data dir (imported, then forced); every variant must give the same answers.
 */
class ForceNewClusterProcessTest {

    @ParameterizedTest(name = "{0} of 3 members real etcd, the survivor the last, restarted as vetcd: {1}")
    @CsvSource({"3, false", "0, false", "2, false", "3, true"})
    void theSurvivorServesAloneWithItsDataAndGrowsBack(int etcdMembers, boolean survivorBecomesVetcd) throws Exception {
        Assumptions.assumeTrue(Cli.available("etcdctl") && (etcdMembers == 0 || Cli.available("etcd")),
            "etcd-server and etcd-client are installed");
        Path root = TempDirs.create("vetcd-force-new");
        try (ProcessCluster c = ProcessCluster.prepare(root, 3, etcdMembers, List.of())) {
            c.startAll();
            String all = String.join(",", c.endpoints());
            for (int i = 1; i <= 5; i++) Cli.etcdctlUntilOk(all, 20, 1000, "put", "k" + i, "v" + i);
            ProcessCluster.Member survivor = c.members.get(2);
            String survivorId = idOf(survivor.endpoint(), survivor.name);
            // A put is acknowledged once a quorum has it, perhaps without the survivor, and a member that applied it may
            // still have only an older commit index on disk (etcd's too: it applies before it writes a commit-only
            // change, unsynced): a forced restart keeps only what the survivor's disk says was committed. So one more
            // put, seen by the survivor: it persisted that entry with a commit index covering k1..k5.
            Cli.etcdctlUntilOk(all, 20, 1000, "put", "barrier", "b");
            awaitLocally(survivor.endpoint(), "barrier", "b");

            c.members.get(0).kill9();
            c.members.get(1).kill9();
            survivor.stop();
            // an etcd survivor may come back as vetcd: it imports etcd's data dir, then forces
            if (survivorBecomesVetcd) survivor = c.asVetcd(survivor);
            survivor.flags.add("--force-new-cluster");
            survivor.start(120);

            assertOnlyMember(survivor, survivorId);
            assertTrue(survivor.log().contains("forcing restart of member " + survivorId), "etcd's line for it, in the log");
            for (int i = 1; i <= 5; i++) assertValue(survivor.endpoint(), "k" + i, "v" + i);
            Cli.etcdctlUntilOk(survivor.endpoint(), 20, 1000, "put", "after", "forced");

            // the forced membership is durable: a plain restart keeps it
            survivor.stop();
            survivor.flags.clear();
            survivor.start(120);
            assertOnlyMember(survivor, survivorId);
            assertValue(survivor.endpoint(), "after", "forced");

            // and the cluster grows back
            ProcessCluster.Member joiner = c.newMember("m4", survivor);
            String peer = "http://127.0.0.1:" + joiner.peerPort;
            Cli.etcdctlUntilOk(survivor.endpoint(), 20, 1000, "member", "add", joiner.name, "--peer-urls", peer);
            joiner.flags.addAll(List.of("--initial-cluster-state", "existing", "--initial-cluster",
                survivor.name + "=http://127.0.0.1:" + survivor.advertisedPeerPort + "," + joiner.name + "=" + peer));
            joiner.start(120);
            Cli.etcdctlUntilOk(joiner.endpoint(), 20, 1000, "put", "grown", "back");
            assertValue(joiner.endpoint(), "k1", "v1");
            assertValue(survivor.endpoint(), "grown", "back");
            JsonArray members = memberList(survivor.endpoint());
            assertEquals(2, members.size(), members.encodePrettily());
        } finally {
            TempDirs.delete(root);
        }
    }

    private static void assertOnlyMember(ProcessCluster.Member m, String id) {
        JsonArray members = memberList(m.endpoint());
        assertEquals(1, members.size(), members.encodePrettily());
        JsonObject only = members.getJsonObject(0);
        assertEquals(id, Long.toHexString(only.getLong("ID")), members.encodePrettily());
        assertEquals(m.name, only.getString("name"));
        assertEquals(List.of("http://127.0.0.1:" + m.advertisedPeerPort), only.getJsonArray("peerURLs").getList());
        assertEquals(List.of(m.endpoint()), only.getJsonArray("clientURLs").getList());
        assertTrue(!only.getBoolean("isLearner", false), members.encodePrettily());
    }

    private static JsonArray memberList(String endpoint) {
        Cli.Result list = Cli.etcdctl(endpoint, "member", "list", "-w", "json");
        assertEquals(0, list.exitCode(), list.output());
        return new JsonObject(list.output()).getJsonArray("members");
    }

    private static String idOf(String endpoint, String name) {
        for (Object o : memberList(endpoint)) {
            JsonObject m = (JsonObject) o;
            if (name.equals(m.getString("name"))) return Long.toHexString(m.getLong("ID"));
        }
        throw new AssertionError(name + " is not a member");
    }

    private static void awaitLocally(String endpoint, String key, String value) throws InterruptedException {
        for (int i = 0; i < 100; i++) {
            Cli.Result got = Cli.etcdctl(endpoint, "get", key, "--print-value-only", "--consistency=s");
            if (got.exitCode() == 0 && got.output().trim().equals(value)) return;
            Thread.sleep(100);
        }
        throw new AssertionError(endpoint + " did not apply " + key + " in 10 s");
    }

    private static void assertValue(String endpoint, String key, String value) throws InterruptedException {
        Cli.Result got = Cli.etcdctlUntilOk(endpoint, 20, 1000, "get", key, "--print-value-only");
        assertEquals(value, got.output().trim(), key);
    }
}
