package io.vetcd.cluster;

import io.vertx.core.json.JsonObject;
import io.vetcd.testing.Cli;
import io.vetcd.testing.ProcessCluster;
import io.vetcd.testing.TempDirs;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A removed member stops, as an etcd member does: real processes, a mixed cluster (one real etcd, two
 * vetcd), driven by etcdctl. A vetcd member removed while it was down learns it from its peers when it
 * comes back (410 on its stream dials) and exits 0; one removed while running applies its own removal
 * and exits 0; both say etcd's words. The cluster that removed them keeps serving.
 */
class RemovedMemberProcessTest {
    private static final String REMOVED = "the member has been permanently removed from the cluster";

    @Test
    void removedMembersStopAndTheClusterServesOn() throws Exception {
        Assumptions.assumeTrue(Cli.available("etcd") && Cli.available("etcdctl"), "etcd-server and etcd-client are installed");
        Path root = TempDirs.create("vetcd-removed");
        try (ProcessCluster c = ProcessCluster.startMixed(root, 3, 1, List.of())) {
            ProcessCluster.Member etcd = c.members.get(0);
            ProcessCluster.Member stays = c.members.get(1);
            ProcessCluster.Member downWhileRemoved = c.members.get(2);
            String both = etcd.endpoint() + "," + stays.endpoint();
            put(both, "before", "removal");

            // removed while down: its log never saw the removal, its peers did
            String downId = idOf(both, downWhileRemoved.name);
            downWhileRemoved.stop();
            remove(both, downId);
            downWhileRemoved.startWithoutWaiting();
            Integer exit = downWhileRemoved.awaitExit(60_000);
            assertEquals(0, exit, "a vetcd member removed while down exits 0 when its peers refuse it; log:\n" + tail(downWhileRemoved));
            assertTrue(downWhileRemoved.log().contains(REMOVED), tail(downWhileRemoved));

            // removed while running: it applies its own removal and stops
            String staysId = idOf(both, stays.name);
            remove(etcd.endpoint() + "," + stays.endpoint(), staysId);
            exit = stays.awaitExit(30_000);
            assertEquals(0, exit, "a vetcd member that applies its own removal exits 0; log:\n" + tail(stays));
            assertTrue(stays.log().contains(REMOVED), tail(stays));

            put(etcd.endpoint(), "after", "removal");
            Cli.Result got = Cli.etcdctl(etcd.endpoint(), "get", "before");
            assertTrue(got.output().contains("removal"), got.output());
        } finally {
            TempDirs.delete(root);
        }
    }

    private static String idOf(String endpoints, String name) {
        Cli.Result list = Cli.etcdctl(endpoints, "member", "list", "-w", "json");
        assertEquals(0, list.exitCode(), list.output());
        for (Object o : new JsonObject(list.output()).getJsonArray("members")) {
            JsonObject m = (JsonObject) o;
            if (name.equals(m.getString("name"))) return Long.toHexString(m.getLong("ID"));
        }
        throw new AssertionError(name + " is not a member: " + list.output());
    }

    /** Retried: right after a member stops, a leader change can fail the first try, on etcd too. */
    private static void remove(String endpoints, String id) throws InterruptedException {
        Cli.etcdctlUntilOk(endpoints, 20, 1000, "member", "remove", id);
    }

    private static void put(String endpoints, String k, String v) throws InterruptedException {
        Cli.etcdctlUntilOk(endpoints, 20, 1000, "put", k, v);
    }

    private static String tail(ProcessCluster.Member m) throws java.io.IOException {
        String log = m.log();
        return log.length() > 4000 ? log.substring(log.length() - 4000) : log;
    }
}
