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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Revisions queued for a watcher while its event loop was busy go out as one response: events in
 * revision order, prev_kv only if asked for, header at the last revision; other watchers unaffected.
 */
class LiveMergeTest {
    static final class ListSink implements WatchSink {
        final List<WatchResponse> out = new CopyOnWriteArrayList<>();
        @Override public Future<Void> write(WatchResponse r) { out.add(r); return Future.succeededFuture(); }
        @Override public boolean writeQueueFull() { return false; }
        @Override public void drainHandler(Runnable r) { }
    }

    @Test
    void queuedRevisionsOfOneWatcherGoOutAsOneResponse(@TempDir Path dir) throws Exception {
        Vertx vertx = Vertx.vertx();
        MvccStore store = MvccStore.open(dir, MvccOptions.defaults());
        try {
            WatchHub hub = new WatchHub(store, new WatchOptions(Duration.ofHours(1), 1 << 20, 1 << 20, 4096));
            Context ctx = vertx.getOrCreateContext();
            ListSink sink = new ListSink();
            WatchStream stream = new WatchStream(hub, ctx, sink, rev -> ResponseHeader.newBuilder().setRevision(rev).build());
            CountDownLatch created = new CountDownLatch(1);
            ctx.runOnContext(v -> {
                stream.handle(create("a", 1, true));
                stream.handle(create("b", 2, false));
                created.countDown();
            });
            assertTrue(created.await(5, TimeUnit.SECONDS));

            CountDownLatch busy = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            ctx.runOnContext(v -> {
                busy.countDown();
                try {
                    release.await(); // the test holds this event loop while revisions are committed
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            assertTrue(busy.await(5, TimeUnit.SECONDS));
            long r1 = put(store, "a", "1");
            long r2 = put(store, "b", "1");
            long r3 = put(store, "a", "2");
            long r4 = put(store, "a", "3");
            release.countDown();

            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (sink.out.size() < 4 && System.nanoTime() < deadline) Thread.sleep(10);
            assertEquals(4, sink.out.size(), "two created, then one response per watcher: " + sink.out);
            WatchResponse a = sink.out.get(2).getWatchId() == 1 ? sink.out.get(2) : sink.out.get(3);
            WatchResponse b = sink.out.get(2).getWatchId() == 2 ? sink.out.get(2) : sink.out.get(3);
            assertEquals(List.of(r1, r3, r4), a.getEventsList().stream().map(e -> e.getKv().getModRevision()).toList());
            assertEquals(r4, a.getHeader().getRevision());
            assertFalse(a.getEvents(0).hasPrevKv(), "the first put of a key has no previous value");
            assertEquals("1", a.getEvents(1).getPrevKv().getValue().toStringUtf8());
            assertEquals("2", a.getEvents(2).getPrevKv().getValue().toStringUtf8());
            assertEquals(List.of(r2), b.getEventsList().stream().map(e -> e.getKv().getModRevision()).toList());
            assertEquals(r2, b.getHeader().getRevision());
            for (Event e : b.getEventsList()) assertFalse(e.hasPrevKv());
        } finally {
            vertx.close().await();
            store.close();
        }
    }

    private static WatchRequest create(String key, long id, boolean prevKv) {
        return WatchRequest.newBuilder().setCreateRequest(WatchCreateRequest.newBuilder()
            .setKey(ByteString.copyFromUtf8(key)).setWatchId(id).setPrevKv(prevKv)).build();
    }

    private static long put(MvccStore store, String k, String v) {
        WriteTxn t = store.beginWrite();
        t.put(k.getBytes(StandardCharsets.UTF_8), v.getBytes(StandardCharsets.UTF_8), 0);
        return t.commit(store.consistentIndex() + 1);
    }
}
