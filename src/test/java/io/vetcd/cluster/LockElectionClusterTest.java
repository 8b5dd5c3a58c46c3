package io.vetcd.cluster;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.election.LeaderKey;
import io.etcd.jetcd.election.LeaderResponse;
import io.etcd.jetcd.lock.LockResponse;
import io.vetcd.testing.InJvmCluster;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Lock and Election across members: contenders talk to different members, so the waits rely on
 * each member's own watch of the replicated keys, not on anything held in one process.
 */
class LockElectionClusterTest {
    static ByteSequence bs(String s) { return ByteSequence.from(s, StandardCharsets.UTF_8); }

    @Test
    void contendersOnDifferentMembers() throws Exception {
        try (InJvmCluster cluster = InJvmCluster.start(3)) {
            List<Client> clients = new ArrayList<>();
            for (var m : cluster.members) clients.add(Client.builder().endpoints(m.endpoint()).build());
            try {
                long l0 = clients.get(0).getLeaseClient().grant(60).get().getID();
                long l1 = clients.get(1).getLeaseClient().grant(60).get().getID();
                long l2 = clients.get(2).getLeaseClient().grant(60).get().getID();

                LockResponse held = clients.get(0).getLockClient().lock(bs("cl"), l0).get(10, TimeUnit.SECONDS);
                CompletableFuture<LockResponse> next = clients.get(1).getLockClient().lock(bs("cl"), l1);
                assertThrows(TimeoutException.class, () -> next.get(700, TimeUnit.MILLISECONDS));
                clients.get(2).getLockClient().unlock(held.getKey()).get();
                assertEquals("cl/" + Long.toHexString(l1), next.get(10, TimeUnit.SECONDS).getKey().toString(StandardCharsets.UTF_8));

                LeaderKey k = clients.get(2).getElectionClient().campaign(bs("ce"), l2, bs("v"))
                    .get(10, TimeUnit.SECONDS).getLeader();
                LeaderResponse seen = clients.get(0).getElectionClient().leader(bs("ce")).get();
                assertEquals("v", seen.getKv().getValue().toString(StandardCharsets.UTF_8));
                CompletableFuture<?> c = clients.get(0).getElectionClient().campaign(bs("ce"), l0, bs("w"));
                assertThrows(TimeoutException.class, () -> c.get(700, TimeUnit.MILLISECONDS));
                clients.get(1).getLeaseClient().revoke(l2).get(); // the leader's lease ends: the next one leads
                c.get(10, TimeUnit.SECONDS);
                assertEquals("w", clients.get(1).getElectionClient().leader(bs("ce")).get().getKv().getValue()
                    .toString(StandardCharsets.UTF_8));
            } finally {
                clients.forEach(Client::close);
            }
        }
    }
}
