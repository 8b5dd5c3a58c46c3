package io.vetcd.server.watch;

import com.google.protobuf.ByteString;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vetcd.mvcc.MvccOptions;
import io.vetcd.mvcc.MvccStore;
import io.vetcd.mvcc.WriteTxn;
import io.vetcd.pb.etcdserver.ResponseHeader;
import io.vetcd.pb.etcdserver.WatchCreateRequest;
import io.vetcd.pb.etcdserver.WatchRequest;
import io.vetcd.pb.etcdserver.WatchResponse;
import io.vetcd.pb.mvcc.Event;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The hand-over between history and live events under pressure: a writer commits revisions as
 * fast as it can while watchers are created at random start revisions on streams whose transport
 * is randomly "full" and whose live queue holds almost nothing, so watchers keep falling behind
 * and catching up. Every watcher must see every revision from its start exactly once, in order.
 * With a live queue that holds many revisions, a watcher's queued revisions go out merged in one
 * response, and the same must hold.
 */
class WatchHubStressTest {
    static final int REVISIONS = 3000;

    /** A transport that is randomly full and drains on a timer. */
    static final class FlakySink implements WatchSink {
        final List<WatchResponse> out = new CopyOnWriteArrayList<>();
        final Random random;
        Runnable onDrain;

        FlakySink(Vertx vertx, Context ctx, long seed) {
            random = new Random(seed);
            ctx.runOnContext(v -> vertx.setPeriodic(2, t -> { if (onDrain != null) onDrain.run(); }));
        }

        @Override public Future<Void> write(WatchResponse r) { out.add(r); return Future.succeededFuture(); }
        @Override public boolean writeQueueFull() { return random.nextInt(3) == 0; }
        @Override public void drainHandler(Runnable r) { onDrain = r; }
    }

    @ParameterizedTest(name = "live queue {0} bytes")
    @ValueSource(longs = {1, 1 << 20})
    void everyWatcherSeesEveryRevisionExactlyOnce(long maxQueuedBytes, @TempDir Path dir) throws Exception {
        Vertx vertx = Vertx.vertx();
        MvccStore store = MvccStore.open(dir, MvccOptions.defaults());
        try {
            WatchHub hub = new WatchHub(store, new WatchOptions(Duration.ofHours(1), 1 << 20, maxQueuedBytes, 4096));
            Random random = new Random(42);
            List<FlakySink> sinks = new ArrayList<>();
            List<Context> contexts = new ArrayList<>();
            List<WatchStream> streams = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                Context ctx = vertx.getOrCreateContext();
                FlakySink sink = new FlakySink(vertx, ctx, i);
                contexts.add(ctx);
                sinks.add(sink);
                streams.add(new WatchStream(hub, ctx, sink, rev -> ResponseHeader.newBuilder().setRevision(rev).build()));
            }
            Map<Long, Long> startOf = new ConcurrentHashMap<>(); // watch key (stream*1000+id) -> start revision
            Thread writer = new Thread(() -> {
                for (int i = 0; i < REVISIONS; i++) {
                    WriteTxn t = store.beginWrite();
                    t.put(("k" + (i % 10)).getBytes(StandardCharsets.UTF_8), ("v" + i).getBytes(StandardCharsets.UTF_8), 0);
                    t.commit(store.consistentIndex() + 1);
                }
            });
            writer.start();
            int created = 0;
            while (writer.isAlive() || created < 24) {
                int si = random.nextInt(streams.size());
                long cur = store.currentRevision();
                long start = random.nextBoolean() ? 0 : 1 + random.nextInt((int) Math.max(1, cur));
                long id = 1 + created;
                WatchStream s = streams.get(si);
                WatchRequest req = WatchRequest.newBuilder().setCreateRequest(WatchCreateRequest.newBuilder()
                    .setKey(ByteString.copyFromUtf8("k")).setRangeEnd(ByteString.copyFromUtf8("l"))
                    .setStartRevision(start).setWatchId(id)).build();
                contexts.get(si).runOnContext(v -> s.handle(req));
                startOf.put(si * 1000L + id, start);
                created++;
                Thread.sleep(random.nextInt(20));
            }
            writer.join();
            // every create processed (each is a watcher now); then one revision every watcher must see
            int creates = startOf.size();
            io.vetcd.testing.Eventually.until("every create processed", Duration.ofSeconds(20), () -> hub.watcherCount() == creates);
            WriteTxn t = store.beginWrite();
            t.put("k-final".getBytes(StandardCharsets.UTF_8), "x".getBytes(StandardCharsets.UTF_8), 0);
            long last = t.commit(store.consistentIndex() + 1);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            Map<Long, List<Long>> seen;
            while (true) {
                seen = collect(sinks);
                Map<Long, List<Long>> fs = seen;
                if (startOf.keySet().stream().allMatch(k -> !fs.getOrDefault(k, List.of()).isEmpty()
                        && fs.get(k).get(fs.get(k).size() - 1) == last)) break;
                if (System.nanoTime() > deadline) {
                    for (var k : startOf.keySet()) {
                        List<Long> l = fs.getOrDefault(k, List.of());
                        System.out.println("watch " + k + " start " + startOf.get(k) + " seen " + l.size()
                            + (l.isEmpty() ? "" : " " + l.get(0) + ".." + l.get(l.size() - 1)) + " last " + last);
                    }
                    System.out.println("synced " + hub.syncedCount() + " of " + hub.watcherCount() + " lastRev " + hub.lastRevision());
                }
                assertTrue(System.nanoTime() < deadline, "watchers did not catch up");
                Thread.sleep(50);
            }
            for (var e : startOf.entrySet()) {
                List<Long> revs = seen.get(e.getKey());
                long first = revs.get(0);
                // start 0 means "after the revision current at creation": the first one seen is that
                // (a fresh store is at revision 1 and the first write is revision 2)
                if (e.getValue() != 0) assertEquals(Math.max(2, e.getValue()), first, "watch " + e.getKey());
                assertEquals(LongStream.rangeClosed(first, last).boxed().toList(), revs, "watch " + e.getKey());
            }
            assertTrue(created >= 24);
        } finally {
            vertx.close().await();
            store.close();
        }
    }

    /** stream*1000+watchId -> revisions of its events, in arrival order; checks created comes first. */
    private static Map<Long, List<Long>> collect(List<FlakySink> sinks) {
        Map<Long, List<Long>> m = new java.util.HashMap<>();
        for (int i = 0; i < sinks.size(); i++) {
            for (WatchResponse r : sinks.get(i).out) {
                long key = i * 1000L + r.getWatchId();
                if (r.getCreated()) {
                    assertTrue(!m.containsKey(key), "created after events for " + key);
                    m.put(key, new ArrayList<>());
                    continue;
                }
                List<Long> l = m.get(key);
                assertTrue(l != null, "events before created for " + key);
                for (Event ev : r.getEventsList()) l.add(ev.getKv().getModRevision());
            }
        }
        return m;
    }
}
