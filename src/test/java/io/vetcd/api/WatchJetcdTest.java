package io.vetcd.api;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.common.exception.CompactedException;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import io.etcd.jetcd.watch.WatchResponse;
import io.vetcd.testing.InJvmMember;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Watch API through jetcd, a real client, against an in-JVM member. */
class WatchJetcdTest {
    static InJvmMember member;
    static Client client;
    static KV kv;
    static Watch watch;

    @BeforeAll
    static void start() throws Exception {
        member = InJvmMember.start();
        client = Client.builder().endpoints(member.endpoint()).build();
        kv = client.getKVClient();
        watch = client.getWatchClient();
    }

    @AfterAll
    static void stop() {
        client.close();
        member.close();
    }

    static ByteSequence bs(String s) { return ByteSequence.from(s, StandardCharsets.UTF_8); }

    static String str(ByteSequence b) { return b.toString(StandardCharsets.UTF_8); }

    static long put(String k, String v) throws Exception {
        return kv.put(bs(k), bs(v)).get(10, TimeUnit.SECONDS).getHeader().getRevision();
    }

    /** Collects events as "TYPE key=value@rev" strings. */
    static final class Sink implements Watch.Listener {
        final BlockingQueue<String> events = new LinkedBlockingQueue<>();
        final List<WatchResponse> responses = new CopyOnWriteArrayList<>();
        final AtomicReference<Throwable> error = new AtomicReference<>();

        @Override public void onNext(WatchResponse r) {
            responses.add(r);
            for (WatchEvent e : r.getEvents()) {
                String s = e.getEventType() + " " + str(e.getKeyValue().getKey()) + "=" + str(e.getKeyValue().getValue())
                    + "@" + e.getKeyValue().getModRevision();
                if (e.getPrevKV() != null && e.getPrevKV().getKey() != null && !e.getPrevKV().getKey().isEmpty()) {
                    s += " prev=" + str(e.getPrevKV().getValue());
                }
                events.add(s);
            }
        }
        @Override public void onError(Throwable t) { error.set(t); }
        @Override public void onCompleted() { }

        List<String> take(int n) throws InterruptedException {
            List<String> out = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                String s = events.poll(10, TimeUnit.SECONDS);
                assertNotNull(s, "event " + i + " of " + n + " after " + out);
                out.add(s);
            }
            return out;
        }

        void assertNoMore() throws InterruptedException {
            assertNull(events.poll(300, TimeUnit.MILLISECONDS));
        }
    }

    /** Waits until the watch is registered (created notify), so that later writes are live. */
    static Watch.Watcher watchCreated(String key, WatchOption opt, Sink sink) throws Exception {
        Watch.Watcher w = watch.watch(bs(key), WatchOption.builder().withCreateNotify(true)
            .withRevision(opt.getRevision()).withPrevKV(opt.isPrevKV()).withNoPut(opt.isNoPut())
            .withNoDelete(opt.isNoDelete()).withRange(opt.getEndKey().orElse(null))
            .isPrefix(opt.isPrefix()).build(), sink);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (sink.responses.stream().noneMatch(WatchResponse::isCreatedNotify)) {
            assertTrue(System.nanoTime() < deadline, "no created response");
            Thread.sleep(10);
        }
        return w;
    }

    @Test
    void singleKeySeesPutsAndDeletesOfThatKeyOnly() throws Exception {
        Sink s = new Sink();
        try (Watch.Watcher w = watchCreated("k1", WatchOption.DEFAULT, s)) {
            long r1 = put("k1", "a");
            put("k10", "x");
            long r2 = kv.delete(bs("k1")).get().getHeader().getRevision();
            assertEquals(List.of("PUT k1=a@" + r1, "DELETE k1=@" + r2), s.take(2));
            s.assertNoMore();
        }
    }

    @Test
    void prefixAndRange() throws Exception {
        Sink prefix = new Sink();
        Sink range = new Sink();
        try (Watch.Watcher a = watchCreated("pre/", WatchOption.builder().isPrefix(true).build(), prefix);
             Watch.Watcher b = watchCreated("r/b", WatchOption.builder().withRange(bs("r/d")).build(), range)) {
            long p1 = put("pre/x", "1");
            put("pre", "no");
            long p2 = put("pre/y/z", "2");
            put("r/a", "no");
            long b1 = put("r/b", "1");
            long c1 = put("r/c9", "2");
            put("r/d", "no");
            assertEquals(List.of("PUT pre/x=1@" + p1, "PUT pre/y/z=2@" + p2), prefix.take(2));
            assertEquals(List.of("PUT r/b=1@" + b1, "PUT r/c9=2@" + c1), range.take(2));
            prefix.assertNoMore();
            range.assertNoMore();
        }
    }

    @Test
    void prevKvAndFilters() throws Exception {
        put("f", "0");
        Sink prev = new Sink();
        Sink noPut = new Sink();
        Sink noDelete = new Sink();
        try (Watch.Watcher a = watchCreated("f", WatchOption.builder().withPrevKV(true).build(), prev);
             Watch.Watcher b = watchCreated("f", WatchOption.builder().withNoPut(true).build(), noPut);
             Watch.Watcher c = watchCreated("f", WatchOption.builder().withNoDelete(true).build(), noDelete)) {
            long r1 = put("f", "1");
            long r2 = kv.delete(bs("f")).get().getHeader().getRevision();
            long r3 = put("f", "2");
            assertEquals(List.of("PUT f=1@" + r1 + " prev=0", "DELETE f=@" + r2 + " prev=1", "PUT f=2@" + r3), prev.take(3));
            assertEquals(List.of("DELETE f=@" + r2), noPut.take(1));
            assertEquals(List.of("PUT f=1@" + r1, "PUT f=2@" + r3), noDelete.take(2));
            noPut.assertNoMore();
            noDelete.assertNoMore();
        }
    }

    @Test
    void cancelStopsEvents() throws Exception {
        Sink s = new Sink();
        Watch.Watcher w = watchCreated("c", WatchOption.DEFAULT, s);
        long r1 = put("c", "1");
        assertEquals(List.of("PUT c=1@" + r1), s.take(1));
        var hub = member.node.server().watchHub();
        int watching = hub.watcherCount();
        w.close();
        // the cancel has reached the member (not a guess that 200 ms is enough)
        io.vetcd.testing.Eventually.until("the closed watch is cancelled on the member", java.time.Duration.ofSeconds(10),
            () -> hub.watcherCount() < watching);
        put("c", "2");
        s.assertNoMore();
    }

    @Test
    void historyReplayThenLiveWithoutGapOrDuplicate() throws Exception {
        long first = put("h/0", "0");
        AtomicBoolean writing = new AtomicBoolean(true);
        List<Long> written = new CopyOnWriteArrayList<>();
        written.add(first);
        Thread writer = new Thread(() -> {
            int i = 1;
            while (writing.get()) {
                try {
                    written.add(put("h/" + (i % 50), String.valueOf(i)));
                    i++;
                } catch (Exception e) {
                    return;
                }
            }
        });
        writer.start();
        awaitSize(written, 10); // history to replay
        Sink s = new Sink();
        try (Watch.Watcher w = watch.watch(bs("h/"), WatchOption.builder().isPrefix(true).withRevision(first).build(), s)) {
            // keep writing while the watcher crosses from history to live (counts, not time: CI may be slow)
            awaitSize(written, written.size() + 10);
            writing.set(false);
            writer.join();
            List<String> got = s.take(written.size());
            List<Long> revs = got.stream().map(x -> Long.parseLong(x.substring(x.indexOf('@') + 1))).toList();
            assertEquals(written, revs);
            s.assertNoMore();
        }
        assertTrue(written.size() >= 20, "wrote " + written.size());
    }

    private static void awaitSize(List<Long> list, int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (list.size() < n && System.nanoTime() < deadline) Thread.sleep(10);
    }

    @Test
    void compactedStartRevisionCancelsTheWatch() throws Exception {
        long r1 = put("cmp", "1");
        put("cmp", "2");
        long r3 = put("cmp", "3");
        kv.compact(r3).get(10, TimeUnit.SECONDS);
        Sink s = new Sink();
        try (Watch.Watcher w = watch.watch(bs("cmp"), WatchOption.builder().withRevision(r1).build(), s)) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (s.error.get() == null && System.nanoTime() < deadline) Thread.sleep(10);
            CompactedException e = assertInstanceOf(CompactedException.class, s.error.get());
            assertEquals(r3, e.getCompactedRevision());
        }
        // from exactly the compact revision still works
        Sink ok = new Sink();
        try (Watch.Watcher w = watch.watch(bs("cmp"), WatchOption.builder().withRevision(r3).build(), ok)) {
            assertEquals(List.of("PUT cmp=3@" + r3), ok.take(1));
        }
    }

    @Test
    void progressRequestReportsTheCurrentRevision() throws Exception {
        Sink s = new Sink();
        try (Watch.Watcher w = watchCreated("quiet", WatchOption.DEFAULT, s)) {
            long rev = put("noisy", "1");
            watch.requestProgress();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (s.responses.stream().noneMatch(WatchResponse::isProgressNotify)) {
                assertTrue(System.nanoTime() < deadline, "no progress response: " + s.responses);
                Thread.sleep(10);
            }
            WatchResponse p = s.responses.stream().filter(WatchResponse::isProgressNotify).findFirst().get();
            assertEquals(rev, p.getHeader().getRevision());
            assertFalse(p.isCreatedNotify());
        }
    }
}
