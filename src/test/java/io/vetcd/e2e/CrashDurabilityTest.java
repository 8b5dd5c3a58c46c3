package io.vetcd.e2e;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.options.GetOption;
import io.vetcd.testing.ServerProcess;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * DESIGN §4: every acknowledged write survives kill -9. A child JVM takes a
 * stream of concurrent puts; it is SIGKILLed while puts are in flight, then
 * restarted on the same data dir; every put that was acknowledged must be
 * there with its value.
 */
class CrashDurabilityTest {
    static ByteSequence bs(String s) { return ByteSequence.from(s, StandardCharsets.UTF_8); }

    @Test
    void acknowledgedPutsSurviveKill9() throws Exception {
        killAndCheck();
    }

    /** The same with the raft log compacted (and WAL segments released) every 300 entries. */
    @Test
    void acknowledgedPutsSurviveKill9WithLogCompaction() throws Exception {
        killAndCheck("--snapshot-count", "300");
    }

    private void killAndCheck(String... flags) throws Exception {
        ServerProcess first = ServerProcess.vetcd(flags);
        Map<String, String> acked = new ConcurrentHashMap<>();
        AtomicInteger next = new AtomicInteger();
        AtomicBoolean stop = new AtomicBoolean();
        Semaphore inFlight = new Semaphore(64);
        CountDownLatch enough = new CountDownLatch(1);
        try (Client client = Client.builder().endpoints(first.endpoint()).build()) {
            KV kv = client.getKVClient();
            Thread writer = new Thread(() -> {
                while (!stop.get()) {
                    try {
                        if (!inFlight.tryAcquire(100, TimeUnit.MILLISECONDS)) continue;
                    } catch (InterruptedException e) {
                        return;
                    }
                    int i = next.getAndIncrement();
                    String k = "crash/" + i;
                    String v = "value-" + i;
                    kv.put(bs(k), bs(v)).whenComplete((r, err) -> {
                        inFlight.release();
                        if (err == null) {
                            acked.put(k, v);
                            if (acked.size() >= 2000) enough.countDown();
                        }
                    });
                }
            });
            writer.start();
            assertTrue(enough.await(120, TimeUnit.SECONDS), "2000 puts acknowledged");
            first.kill9(); // puts are still in flight
            stop.set(true);
            writer.join();
        }
        int ackedAtKill = acked.size();
        if (flags.length > 0) assertTrue(first.output().contains("saved snapshot at index"), "the log was compacted");
        try (ServerProcess second = ServerProcess.vetcd(first.dataDir, first.clientPort, first.peerPort, flags);
             Client client = Client.builder().endpoints(second.endpoint()).build()) {
            GetResponse all = client.getKVClient().get(bs("crash/"), GetOption.builder().isPrefix(true).build()).get();
            Map<String, String> found = new ConcurrentHashMap<>();
            all.getKvs().forEach(x -> found.put(x.getKey().toString(StandardCharsets.UTF_8), x.getValue().toString(StandardCharsets.UTF_8)));
            int missing = 0;
            for (var e : acked.entrySet()) {
                if (!e.getValue().equals(found.get(e.getKey()))) missing++;
            }
            assertEquals(0, missing, "acknowledged puts lost after kill -9 (acked " + ackedAtKill + ", found " + found.size() + ")");
            assertTrue(found.size() >= ackedAtKill);
        }
    }
}
