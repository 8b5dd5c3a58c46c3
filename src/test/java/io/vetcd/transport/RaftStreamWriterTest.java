package io.vetcd.transport;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.RequestOptions;
import io.vertx.ext.web.Router;
import io.vetcd.metrics.NetworkMetrics;
import io.vetcd.raft.Entry;
import io.vetcd.raft.EntryType;
import io.vetcd.raft.Message;
import io.vetcd.raft.MessageType;
import io.vetcd.server.Member;
import io.vetcd.server.Membership;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The writer side of raft streams against a real HTTP server: messages
 * arrive in order, and a peer that stops reading costs dropped messages and
 * an unreachable report, never a stall of the other peers' streams.
 */
class RaftStreamWriterTest {
    static final long LOCAL = 1, CLUSTER = 0xc1;

    Vertx vertx;
    HttpServer server;
    HttpClient client;
    OutgoingStreams streams;
    final ConcurrentLinkedQueue<Long> unreachable = new ConcurrentLinkedQueue<>();

    @BeforeEach
    void start() {
        vertx = Vertx.vertx();
        Membership membership = new Membership(LOCAL, CLUSTER, List.of(
            new Member(1, "a", List.of("http://127.0.0.1:1"), List.of(), false),
            new Member(2, "b", List.of("http://127.0.0.1:2"), List.of(), false),
            new Member(3, "c", List.of("http://127.0.0.1:3"), List.of(), false)));
        streams = new OutgoingStreams(LOCAL, NetworkMetrics.DETACHED, unreachable::add);
        RaftStreamRoute route = new RaftStreamRoute(membership, streams);
        Router router = Router.router(vertx);
        router.get("/raft/stream/:type/:from").handler(route::handle);
        server = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1").await();
        client = vertx.createHttpClient();
    }

    @AfterEach
    void stop() {
        streams.close();
        vertx.close().await();
    }

    HttpClientResponse dial(long from, StreamType type) {
        return client.request(new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1").setPort(server.actualPort())
                .setURI(type.path(from))
                .putHeader(PeerHeaders.CLUSTER_ID, Long.toHexString(CLUSTER))
                .putHeader(PeerHeaders.FROM, Long.toHexString(from))
                .putHeader(PeerHeaders.VERSION, "3.4.23")
                .putHeader(PeerHeaders.RAFT_TO, Long.toHexString(LOCAL)))
            .compose(req -> req.send()).await();
    }

    static Message append(long to, long index, int bytes) {
        return new Message(MessageType.MsgApp, LOCAL, to, 2, 2, index - 1,
            List.of(new Entry(2, index, EntryType.NORMAL, new byte[bytes])), index, null, false, 0, new byte[0]);
    }

    static void await(String what, BooleanSupplier ok) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!ok.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting: " + what);
            Thread.sleep(20);
        }
    }

    @Test
    void messagesArriveInOrderOnTheStreamTheTypePicks() throws Exception {
        List<Message> got = new CopyOnWriteArrayList<>();
        HttpClientResponse resp = dial(2, StreamType.MSGAPP);
        assertEquals(200, resp.statusCode());
        StreamDecoder decoder = StreamDecoder.of(StreamType.MSGAPP, 2, LOCAL, got::add);
        resp.handler(decoder::feed);
        await("stream up", () -> streams.isUp(2, StreamType.MSGAPP));
        assertFalse(streams.isUp(2, StreamType.MESSAGE));
        // a heartbeat has no message stream to go on, so the caller has to post it
        assertFalse(streams.offer(new Message(MessageType.MsgHeartbeat, LOCAL, 2, 2, 0, 0, List.of(), 0, null, false, 0, new byte[0])));
        for (int i = 1; i <= 2000; i++) assertTrue(streams.offer(append(2, i, 100)));
        await("2000 appends", () -> got.size() == 2000);
        for (int i = 0; i < 2000; i++) assertEquals(i, got.get(i).index(), "in order"); // append(i + 1) carries index i
        assertEquals(2000, streams.messagesStreamed());
        // a peer with no stream at all: nothing to offer to
        assertFalse(streams.offer(append(3, 1, 10)));
    }

    @Test
    void aPeerThatStopsReadingLosesMessagesButNeverStallsAnother() throws Exception {
        HttpClientResponse stalled = dial(2, StreamType.MSGAPP);
        stalled.pause(); // reads nothing more: the server's writes back up
        List<Message> healthy = new CopyOnWriteArrayList<>();
        HttpClientResponse other = dial(3, StreamType.MSGAPP);
        other.handler(StreamDecoder.of(StreamType.MSGAPP, 3, LOCAL, healthy::add)::feed);
        await("both streams up", () -> streams.isUp(2, StreamType.MSGAPP) && streams.isUp(3, StreamType.MSGAPP));
        // far more than the socket buffers and the 8 MiB write queue hold
        for (int i = 1; i <= 800 && streams.messagesDropped() == 0; i++) {
            streams.offer(append(2, i, 256 * 1024));
            streams.offer(append(3, i, 16));
            if (i % 50 == 0) Thread.sleep(20); // let the event loop write
        }
        await("messages to the stalled peer are dropped", () -> streams.messagesDropped() > 0);
        assertTrue(unreachable.contains(2L), "raft is told the stalled peer is unreachable");
        assertFalse(unreachable.contains(3L));
        int before = healthy.size();
        for (int i = 0; i < 100; i++) streams.offer(append(3, 10_000 + i, 16));
        await("the other peer still gets its messages", () -> healthy.size() >= before + 100);
        assertTrue(streams.isUp(2, StreamType.MSGAPP), "a slow stream is kept, not closed");
    }

    @Test
    void aNewDialReplacesTheOldStream() throws Exception {
        HttpClientResponse first = dial(2, StreamType.MESSAGE);
        io.vertx.core.Promise<Void> firstEnded = io.vertx.core.Promise.promise();
        first.exceptionHandler(e -> firstEnded.tryComplete());
        first.endHandler(v -> firstEnded.tryComplete());
        first.request().connection().closeHandler(v -> firstEnded.tryComplete());
        await("first up", () -> streams.isUp(2, StreamType.MESSAGE));
        List<Message> got = new CopyOnWriteArrayList<>();
        HttpClientResponse second = dial(2, StreamType.MESSAGE);
        second.handler(StreamDecoder.of(StreamType.MESSAGE, 2, LOCAL, got::add)::feed);
        firstEnded.future().await(10, TimeUnit.SECONDS);
        streams.offer(new Message(MessageType.MsgHeartbeat, LOCAL, 2, 2, 0, 0, List.of(), 0, null, false, 0, new byte[0]));
        await("the newer stream carries messages", () -> got.size() == 1);
    }
}
