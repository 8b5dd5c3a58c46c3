package io.vetcd.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.options.GetOption;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vetcd.mvcc.MvccStore;
import io.vetcd.pb.etcdserver.RangeRequest;
import io.vetcd.testing.InJvmMember;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A client that stops reading a big range answer holds a bounded window of it, the member keeps
 * serving others, and everything the answer held (its budget reservation, the pinned store view)
 * comes back when the client disconnects, or when it stays silent past the idle limit.
 */
class StalledRangeClientTest {
    static InJvmMember member;
    static final int KEYS = 400;
    static final int VALUE = 8 * 1024; // ~3.3 MiB answer: far more than the window and HTTP/2 flow control

    @BeforeAll
    static void start() throws Exception {
        member = InJvmMember.start();
        try (Client c = Client.builder().endpoints(member.endpoint()).build()) {
            List<CompletableFuture<?>> puts = new ArrayList<>();
            for (int i = 0; i < KEYS; i++) {
                puts.add(c.getKVClient().put(ByteSequence.from(String.format("s/%05d", i).getBytes()),
                    ByteSequence.from(new byte[VALUE])));
            }
            CompletableFuture.allOf(puts.toArray(new CompletableFuture[0])).get(60, TimeUnit.SECONDS);
        }
    }

    @AfterAll
    static void stop() {
        if (member != null) member.close();
    }

    @Test
    void disconnectFreesEverythingAndOthersAreServedMeanwhile() throws Exception {
        RangeAnswerBudget budget = RangeAnswerBudget.of(member.node.server());
        MvccStore store = member.node.server().store();
        HttpClient client = stalledRange();
        try {
            waitFor(() -> budget.available() < budget.capacity() && store.openReads() > 0, "the answer started and stalled");
            Thread.sleep(500);
            assertTrue(budget.available() < budget.capacity(), "still held while the client neither reads nor leaves");
            try (Client c = Client.builder().endpoints(member.endpoint()).build()) {
                long n = c.getKVClient().get(ByteSequence.from("s/".getBytes()),
                    GetOption.builder().isPrefix(true).build()).get(30, TimeUnit.SECONDS).getKvs().size();
                assertEquals(KEYS, n, "another client is served in full meanwhile");
            }
        } finally {
            client.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        waitFor(() -> budget.available() == budget.capacity() && store.openReads() == 0, "everything freed after the disconnect");
    }

    @Test
    void aClientSilentPastTheIdleLimitIsResetAndFreed() throws Exception {
        RangeAnswerBudget budget = RangeAnswerBudget.of(member.node.server());
        MvccStore store = member.node.server().store();
        System.setProperty("vetcd.range.idleMillis", "1000");
        HttpClient client = null;
        try {
            client = stalledRange();
            waitFor(() -> budget.available() < budget.capacity() && store.openReads() > 0, "the answer started and stalled");
            waitFor(() -> budget.available() == budget.capacity() && store.openReads() == 0, "freed by the idle limit, the client still connected");
        } finally {
            System.clearProperty("vetcd.range.idleMillis");
            if (client != null) client.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    /** A gRPC Range over h2c whose response body is never read (paused: no WINDOW_UPDATEs). */
    private static HttpClient stalledRange() throws Exception {
        HttpClient client = member.vertx.createHttpClient(new HttpClientOptions()
            .setProtocolVersion(HttpVersion.HTTP_2).setHttp2ClearTextUpgrade(false));
        byte[] req = RangeRequest.newBuilder().setKey(com.google.protobuf.ByteString.copyFromUtf8("s/"))
            .setRangeEnd(com.google.protobuf.ByteString.copyFromUtf8("s0")).build().toByteArray();
        Buffer body = Buffer.buffer().appendByte((byte) 0).appendInt(req.length).appendBytes(req);
        client.request(new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(member.clientPort)
                .setURI("/etcdserverpb.KV/Range").putHeader("content-type", "application/grpc").putHeader("te", "trailers"))
            .compose(r -> r.send(body))
            .onSuccess(resp -> resp.pause())
            .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        return client;
    }

    private static void waitFor(BooleanSupplier cond, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting: " + what);
            Thread.sleep(20);
        }
    }
}
