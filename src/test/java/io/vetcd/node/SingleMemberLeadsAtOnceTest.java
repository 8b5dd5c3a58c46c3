package io.vetcd.node;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.vetcd.testing.InJvmCluster;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A single voter leads as soon as raft lets it, fresh or restarted, without waiting its randomized
 * election timeout: raft refuses a campaign until the committed conf changes (the bootstrap's, or the
 * replayed ones) are applied, so the member asks again until they are. With a 10 s election timeout
 * the wait it used to have is 0-20 s; a start under 6 s here means the member did not wait for it.
 */
class SingleMemberLeadsAtOnceTest {
    static final String[] SLOW_ELECTIONS = {"--heartbeat-interval", "100", "--election-timeout", "10000"};

    @Test
    void freshAndRestartedSingleMemberLeadWithoutAnElectionTimeout() throws Exception {
        long t0 = System.nanoTime();
        try (InJvmCluster cluster = InJvmCluster.start(1, SLOW_ELECTIONS)) {
            long freshMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertEquals(0, cluster.leader(), "the single member leads");
            assertTrue(freshMs < 6000, "a fresh single member served after " + freshMs + " ms");
            try (Client c = Client.builder().endpoints(cluster.members.get(0).endpoint()).build()) {
                for (int i = 0; i < 20; i++) {
                    c.getKVClient().put(bs("k" + i), bs("v" + i)).get(10, TimeUnit.SECONDS);
                }
            }
            cluster.members.get(0).stop();
            long t1 = System.nanoTime();
            cluster.restart(0);
            long restartMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t1);
            assertEquals(0, cluster.leader(), "the restarted member leads");
            assertTrue(restartMs < 6000, "the restarted single member served after " + restartMs + " ms");
            try (Client c = Client.builder().endpoints(cluster.members.get(0).endpoint()).build()) {
                assertEquals("v19", c.getKVClient().get(bs("k19")).get(10, TimeUnit.SECONDS).getKvs().get(0).getValue()
                    .toString(StandardCharsets.UTF_8));
            }
        }
    }

    static ByteSequence bs(String s) { return ByteSequence.from(s, StandardCharsets.UTF_8); }
}
