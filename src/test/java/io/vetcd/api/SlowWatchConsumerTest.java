package io.vetcd.api;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.vertx.core.Vertx;
import io.vetcd.pb.etcdserver.WatchCreateRequest;
import io.vetcd.pb.etcdserver.WatchResponse;
import io.vetcd.pb.mvcc.Event;
import io.vetcd.server.watch.WatchHub;
import io.vetcd.testing.InJvmMember;
import io.vetcd.testing.RawWatchStream;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static io.vetcd.testing.RawWatchStream.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A client that stops reading its watch stream while 100 MB of events are written: the server's
 * heap does not grow with what that client has not read, another client's watcher keeps getting
 * every event promptly, and when the slow client reads again it gets every event exactly once.
 */
class SlowWatchConsumerTest {
    static final int VALUE_BYTES = 256 * 1024;
    static final int PUTS = 400; // 100 MB of values
    static final long HEAP_GROWTH_BOUND = 48L << 20;

    @Test
    void slowStreamIsBoundedAndDoesNotStallOthers() throws Exception {
        Vertx clientVertx = Vertx.vertx();
        // the raft log keeps recent entries in memory until a snapshot; compact often so what is
        // measured is the watch path, not the log's catch-up tail
        try (InJvmMember member = InJvmMember.start("--unsafe-no-fsync", "--snapshot-count", "20",
                "--experimental-snapshot-catchup-entries", "10");
             Client client = Client.builder().endpoints(member.endpoint()).build();
             RawWatchStream slow = RawWatchStream.open(clientVertx, member.clientPort);
             RawWatchStream fast = RawWatchStream.open(Vertx.vertx(), member.clientPort)) {
            WatchHub hub = member.node.server().watchHub();
            KV kv = client.getKVClient();
            WatchCreateRequest.Builder req = WatchCreateRequest.newBuilder().setKey(bytes("big/")).setRangeEnd(bytes("big0"));
            slow.create(req);
            fast.create(req);
            assertTrue(slow.next().getCreated());
            assertTrue(fast.next().getCreated());

            // only revision numbers are kept: the test itself must not hold 100 MB of values
            List<Long> slowRevs = new CopyOnWriteArrayList<>();
            List<Long> fastRevs = new CopyOnWriteArrayList<>();
            Map<Long, Long> fastArrival = new ConcurrentHashMap<>();
            slow.onResponse(r -> revisions(r, slowRevs, null));
            fast.onResponse(r -> revisions(r, fastRevs, fastArrival));
            slow.pause();

            byte[] value = new byte[VALUE_BYTES];
            for (int i = 0; i < value.length; i++) value[i] = (byte) ('a' + i % 26);
            ByteSequence v = ByteSequence.from(value);
            long heap0 = usedHeapAfterGc();
            long maxGrowth = 0;
            List<Long> written = new ArrayList<>();
            Map<Long, Long> writtenAt = new ConcurrentHashMap<>();
            for (int i = 0; i < PUTS; i++) {
                long rev = kv.put(ByteSequence.from("big/" + (i % 10), StandardCharsets.UTF_8), v).get(30, TimeUnit.SECONDS)
                    .getHeader().getRevision();
                written.add(rev);
                writtenAt.put(rev, System.nanoTime());
                if (i % 50 == 49) maxGrowth = Math.max(maxGrowth, usedHeapAfterGc() - heap0);
            }
            long t0 = System.nanoTime();
            while (fastRevs.size() < PUTS && System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(30)) Thread.sleep(20);
            System.out.printf("slow consumer: fast got %d, slow got %d, synced %d of %d%n", fastRevs.size(), slowRevs.size(),
                hub.syncedCount(), hub.watcherCount());
            maxGrowth = Math.max(maxGrowth, usedHeapAfterGc() - heap0);
            System.out.printf("slow consumer: wrote %d MB, max heap growth %.1f MB, synced watchers %d of %d%n",
                (long) PUTS * VALUE_BYTES >> 20, maxGrowth / 1048576.0, hub.syncedCount(), hub.watcherCount());

            assertEquals(written, fastRevs, "the fast watcher got every event exactly once, in order");
            long maxLagMs = 0;
            for (long rev : written) {
                maxLagMs = Math.max(maxLagMs, TimeUnit.NANOSECONDS.toMillis(fastArrival.get(rev) - writtenAt.get(rev)));
            }
            System.out.printf("slow consumer: fast watcher max lag behind the put's reply %d ms%n", maxLagMs);
            assertTrue(maxLagMs < 2000, "fast watcher lagged " + maxLagMs + " ms");
            assertTrue(slowRevs.size() < PUTS / 4, "the slow client was not reading, yet got " + slowRevs.size());
            assertEquals(1, hub.syncedCount(), "the slow watcher fell back to catch-up");
            assertTrue(maxGrowth < HEAP_GROWTH_BOUND, "heap grew by " + (maxGrowth >> 20) + " MB");

            slow.resume();
            waitFor(() -> slowRevs.size() >= PUTS, 60);
            Thread.sleep(300);
            assertEquals(written, slowRevs, "the slow watcher got every event exactly once, in order");
            waitFor(() -> hub.syncedCount() == 2, 10);
            long rev = kv.put(ByteSequence.from("big/x", StandardCharsets.UTF_8), ByteSequence.from("1", StandardCharsets.UTF_8))
                .get().getHeader().getRevision();
            waitFor(() -> slowRevs.size() == PUTS + 1, 10);
            assertEquals(rev, slowRevs.get(PUTS));
        } finally {
            clientVertx.close().await();
        }
    }

    private static void revisions(WatchResponse r, List<Long> out, Map<Long, Long> arrival) {
        long last = -1;
        for (Event e : r.getEventsList()) {
            long rev = e.getKv().getModRevision();
            if (rev != last) out.add(rev);
            last = rev;
            if (arrival != null) arrival.put(rev, System.nanoTime());
        }
    }

    private static long usedHeapAfterGc() {
        var mem = ManagementFactory.getMemoryMXBean();
        System.gc();
        return mem.getHeapMemoryUsage().getUsed();
    }

    private static void waitFor(java.util.function.BooleanSupplier cond, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!cond.getAsBoolean() && System.nanoTime() < deadline) Thread.sleep(20);
        assertTrue(cond.getAsBoolean(), "condition not met within " + seconds + " s");
    }
}
