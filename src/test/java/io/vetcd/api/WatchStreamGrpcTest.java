package io.vetcd.api;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.PutOption;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vetcd.pb.etcdserver.WatchCreateRequest;
import io.vetcd.pb.etcdserver.WatchResponse;
import io.vetcd.pb.mvcc.Event;
import io.vetcd.server.watch.WatchHub;
import io.vetcd.testing.InJvmMember;
import io.vetcd.testing.RawWatchStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static io.vetcd.testing.RawWatchStream.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The wire protocol of one Watch stream, request by request: watch ids, etcd's error responses,
 * cancel, progress, fragments, release on close, and the JSON gateway.
 */
class WatchStreamGrpcTest {
    static InJvmMember member;
    static Vertx clientVertx;
    static Client client;
    static KV kv;

    @BeforeAll
    static void start() throws Exception {
        member = InJvmMember.start("--max-request-bytes", "100000",
            "--experimental-watch-progress-notify-interval", "300ms");
        clientVertx = Vertx.vertx();
        client = Client.builder().endpoints(member.endpoint()).build();
        kv = client.getKVClient();
    }

    @AfterAll
    static void stop() {
        client.close();
        clientVertx.close().await();
        member.close();
    }

    static ByteSequence bs(String s) { return ByteSequence.from(s, StandardCharsets.UTF_8); }

    static long put(String k, String v) throws Exception {
        return kv.put(bs(k), bs(v)).get(10, TimeUnit.SECONDS).getHeader().getRevision();
    }

    static WatchHub hub() { return member.node.server().watchHub(); }

    static WatchCreateRequest.Builder watchKey(String k) { return WatchCreateRequest.newBuilder().setKey(bytes(k)); }

    @Test
    void manyWatchersOnOneStreamWithIdsCancelAndErrors() throws Exception {
        awaitNoWatchers(); // streams of earlier tests are released
        try (RawWatchStream s = RawWatchStream.open(clientVertx, member.clientPort)) {
            long rev0 = member.node.server().store().currentRevision();
            s.create(watchKey("m/a"));
            s.create(watchKey("m/").setRangeEnd(bytes("m0")));
            s.create(watchKey("m/a").setWatchId(7));
            s.create(watchKey("m/b").setWatchId(7)); // duplicate
            s.create(watchKey("m/z").setRangeEnd(bytes("m/a"))); // empty range
            s.create(watchKey("m/b")); // auto ids continue after the taken ones
            for (long id : new long[]{0, 1, 7}) {
                WatchResponse c = s.next();
                assertTrue(c.getCreated() && !c.getCanceled(), c.toString());
                assertEquals(id, c.getWatchId());
                assertEquals(rev0, c.getHeader().getRevision());
            }
            WatchResponse dup = s.next();
            assertEquals(-1, dup.getWatchId());
            assertTrue(dup.getCreated() && dup.getCanceled());
            assertEquals("mvcc: duplicate watch ID provided on the WatchStream", dup.getCancelReason());
            WatchResponse empty = s.next();
            assertEquals("mvcc: watcher range is empty", empty.getCancelReason());
            assertEquals(2, s.next().getWatchId());

            long ra = put("m/a", "1");
            List<Long> ids = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                WatchResponse r = s.next();
                assertEquals(ra, r.getHeader().getRevision());
                assertEquals("m/a", r.getEvents(0).getKv().getKey().toStringUtf8());
                ids.add(r.getWatchId());
            }
            ids.sort(null);
            assertEquals(List.of(0L, 1L, 7L), ids);

            s.cancel(1);
            WatchResponse canceled = s.next();
            assertTrue(canceled.getCanceled());
            assertEquals(1, canceled.getWatchId());
            long rb = put("m/b", "1");
            WatchResponse onlyB = s.next();
            assertEquals(2, onlyB.getWatchId());
            assertEquals(rb, onlyB.getHeader().getRevision());
            assertNull(s.poll(300));
            assertEquals(3, hub().watcherCount());
        }
        awaitNoWatchers(); // closing the stream releases every watcher it had
    }

    static void awaitNoWatchers() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (hub().watcherCount() != 0 && System.nanoTime() < deadline) Thread.sleep(20);
        assertEquals(0, hub().watcherCount());
    }

    @Test
    void oneRevisionIsOneResponse() throws Exception {
        try (RawWatchStream s = RawWatchStream.open(clientVertx, member.clientPort)) {
            s.create(watchKey("t/").setRangeEnd(bytes("t0")).setPrevKv(true));
            s.next();
            put("t/1", "old");
            put("t/3", "gone");
            s.next();
            s.next();
            var txn = kv.txn().Then(Op.put(bs("t/1"), bs("a"), PutOption.DEFAULT), Op.put(bs("t/2"), bs("b"), PutOption.DEFAULT),
                Op.delete(bs("t/3"), io.etcd.jetcd.options.DeleteOption.DEFAULT)).commit().get();
            WatchResponse r = s.next();
            assertEquals(txn.getHeader().getRevision(), r.getHeader().getRevision());
            assertEquals(3, r.getEventsCount());
            assertEquals(Event.EventType.DELETE, r.getEvents(2).getType());
            assertEquals("old", r.getEvents(0).getPrevKv().getValue().toStringUtf8());
            assertEquals("gone", r.getEvents(2).getPrevKv().getValue().toStringUtf8());
        }
    }

    @Test
    void progressNotifyAndProgressRequest() throws Exception {
        try (RawWatchStream s = RawWatchStream.open(clientVertx, member.clientPort)) {
            s.create(watchKey("p/quiet").setProgressNotify(true).setWatchId(5));
            assertTrue(s.next().getCreated());
            long rev = put("p/other", "x");
            WatchResponse tick = s.next(); // the 300 ms ticker
            assertEquals(5, tick.getWatchId());
            assertEquals(0, tick.getEventsCount());
            assertFalse(tick.getCreated() || tick.getCanceled());
            assertEquals(rev, tick.getHeader().getRevision());

            s.requestProgress();
            WatchResponse p;
            do {
                p = s.next();
            } while (p.getWatchId() == 5); // skip ticks
            assertEquals(-1, p.getWatchId());
            assertEquals(rev, p.getHeader().getRevision());
        }
    }

    @Test
    void largeRevisionsAreFragmentedOnRequest() throws Exception {
        String big = "x".repeat(40_000);
        try (RawWatchStream frag = RawWatchStream.open(clientVertx, member.clientPort);
             RawWatchStream whole = RawWatchStream.open(clientVertx, member.clientPort)) {
            for (int i = 0; i < 4; i++) put("g/" + i, big);
            // a small request whose watch response (with prev_kv) exceeds --max-request-bytes
            frag.create(watchKey("g/").setRangeEnd(bytes("g0")).setFragment(true).setPrevKv(true));
            whole.create(watchKey("g/").setRangeEnd(bytes("g0")).setPrevKv(true));
            frag.next();
            whole.next();
            long rev = kv.delete(bs("g/"), io.etcd.jetcd.options.DeleteOption.builder().isPrefix(true).build())
                .get().getHeader().getRevision();
            WatchResponse f1 = frag.next();
            WatchResponse f2 = frag.next();
            assertTrue(f1.getFragment());
            assertFalse(f2.getFragment());
            assertEquals(4, f1.getEventsCount() + f2.getEventsCount());
            assertTrue(f1.getSerializedSize() < 100_000, "fragment size " + f1.getSerializedSize());
            assertEquals(rev, f1.getHeader().getRevision());
            WatchResponse w = whole.next();
            assertEquals(4, w.getEventsCount());
            assertFalse(w.getFragment());
        }
    }

    @Test
    void jsonGatewayStreamsResults() throws Exception {
        HttpClient http = clientVertx.createHttpClient();
        try {
            LinkedBlockingQueue<JsonObject> lines = new LinkedBlockingQueue<>();
            String body = new JsonObject().put("create_request", new JsonObject()
                .put("key", java.util.Base64.getEncoder().encodeToString("j/k".getBytes()))).encode();
            StringBuilder partial = new StringBuilder();
            // the body handler is set on the event loop as the response arrives, before any chunk
            HttpClientResponse resp = http.request(HttpMethod.POST, member.clientPort, "127.0.0.1", "/v3/watch")
                .compose(req -> req.send(Buffer.buffer(body)).map(r -> r.handler(buf -> {
                    partial.append(buf.toString(StandardCharsets.UTF_8));
                    int nl;
                    while ((nl = partial.indexOf("\n")) >= 0) {
                        lines.add(new JsonObject(partial.substring(0, nl)));
                        partial.delete(0, nl + 1);
                    }
                }))).await();
            assertEquals(200, resp.statusCode());
            JsonObject created = lines.poll(10, TimeUnit.SECONDS);
            assertNotNull(created);
            assertTrue(created.getJsonObject("result").getBoolean("created"), created.encode());
            long rev = put("j/k", "v");
            JsonObject ev = lines.poll(10, TimeUnit.SECONDS);
            assertNotNull(ev);
            JsonObject kvJson = ev.getJsonObject("result").getJsonArray("events").getJsonObject(0).getJsonObject("kv");
            assertEquals("v", new String(java.util.Base64.getDecoder().decode(kvJson.getString("value"))));
            assertEquals(String.valueOf(rev), kvJson.getString("mod_revision"));
            resp.request().connection().close();
            awaitNoWatchers(); // the closed HTTP/1.1 connection released its watcher
        } finally {
            http.close().await();
        }
    }
}
