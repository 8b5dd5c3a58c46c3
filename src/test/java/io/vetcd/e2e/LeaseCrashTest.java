package io.vetcd.e2e;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.Lease;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.LeaseOption;
import io.etcd.jetcd.options.PutOption;
import io.vetcd.testing.ServerProcess;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Leases and their keys survive kill -9: a child JVM grants leases, attaches
 * keys and revokes some while requests are in flight, is SIGKILLed and
 * restarted; acknowledged grants exist, acknowledged revokes stay revoked, and
 * every lease's key list equals the keys that carry it in the store.
 */
class LeaseCrashTest {
    static ByteSequence bs(String s) { return ByteSequence.from(s, StandardCharsets.UTF_8); }

    @Test
    void leasesAndAttachmentsSurviveKill9() throws Exception {
        ServerProcess first = ServerProcess.vetcd();
        Set<Long> granted = ConcurrentHashMap.newKeySet();
        Set<Long> revoked = ConcurrentHashMap.newKeySet();
        try (Client client = Client.builder().endpoints(first.endpoint()).build()) {
            Lease lease = client.getLeaseClient();
            List<CompletableFuture<?>> inFlight = new ArrayList<>();
            for (int round = 0; round < 30; round++) {
                long id = lease.grant(600).get(10, TimeUnit.SECONDS).getID();
                granted.add(id);
                for (int k = 0; k < 5; k++) {
                    client.getKVClient().put(bs("lc/" + round + "/" + k), bs("v"),
                        PutOption.builder().withLeaseId(id).build()).get(10, TimeUnit.SECONDS);
                }
                if (round % 3 == 0) lease.revoke(id).get(10, TimeUnit.SECONDS);
                if (round % 3 == 0) revoked.add(id);
            }
            // the last burst is in flight when the member dies
            for (int i = 0; i < 50; i++) {
                inFlight.add(lease.grant(600).thenAccept(r -> granted.add(r.getID())));
                inFlight.add(client.getKVClient().put(bs("lc/late/" + i), bs("v")));
            }
            first.kill9();
            // what was not acknowledged by now never will be (the client retries until closed); it may or
            // may not have been applied, so it is not checked
        }
        long restartBegan = System.nanoTime();
        try (ServerProcess second = ServerProcess.vetcd(first.dataDir, first.clientPort, first.peerPort);
             Client client = Client.builder().endpoints(second.endpoint()).build()) {
            Lease lease = client.getLeaseClient();
            Map<Long, Set<String>> keysByLease = new HashMap<>();
            for (KeyValue kv : client.getKVClient().get(bs("lc/"), GetOption.builder().isPrefix(true).build()).get().getKvs()) {
                if (kv.getLease() != 0) {
                    keysByLease.computeIfAbsent(kv.getLease(), x -> new HashSet<>()).add(kv.getKey().toString(StandardCharsets.UTF_8));
                }
            }
            for (long id : granted) {
                var r = lease.timeToLive(id, LeaseOption.newBuilder().withAttachedKeys().build()).get();
                if (revoked.contains(id)) {
                    assertEquals(-1, r.getTTL(), "revoked lease " + id + " came back");
                    assertTrue(!keysByLease.containsKey(id), "keys of a revoked lease came back");
                    continue;
                }
                assertEquals(600, r.getGrantedTTL(), "acknowledged lease " + id + " lost");
                // refreshed to the full TTL when the restarted member became leader: at most the time since the
                // restart began has run off it (a loaded machine took seconds to ask about all ~70 leases)
                long sinceRestart = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - restartBegan);
                assertTrue(r.getTTL() >= 599 - sinceRestart, "full TTL after restart: " + r.getTTL() + ", " + sinceRestart + " s since the restart began");
                Set<String> listed = new HashSet<>();
                r.getKeys().forEach(k -> listed.add(k.toString(StandardCharsets.UTF_8)));
                assertEquals(keysByLease.getOrDefault(id, Set.of()), listed, "keys of lease " + id);
            }
            for (long id : keysByLease.keySet()) assertTrue(granted.contains(id), "key names an unknown lease " + id);
            assertEquals(20 * 5, keysByLease.values().stream().mapToInt(Set::size).sum());
            // recovered attachments are what a revoke deletes
            long some = keysByLease.keySet().iterator().next();
            lease.revoke(some).get();
            assertEquals(19 * 5, client.getKVClient().get(bs("lc/"), GetOption.builder().isPrefix(true).build()).get()
                .getKvs().stream().filter(kv -> kv.getLease() != 0).count());
        }
    }
}
