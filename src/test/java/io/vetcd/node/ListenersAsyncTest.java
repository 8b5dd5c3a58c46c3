package io.vetcd.node;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetSocket;
import io.vertx.junit5.Checkpoint;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.vetcd.pb.etcdserver.PutRequest;
import io.vetcd.server.ClusterIds;
import io.vetcd.testing.InJvmMember;
import io.vetcd.testing.TempDirs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The client and peer listeners driven asynchronously from the test's own event loop: one client port
 * serves gRPC (h2c, application/grpc), the JSON gateway over HTTP/1.1 and over h2c, and plain HTTP
 * (/version), told apart per request as etcd's cmux does; a peer that trickles a body or speaks
 * garbage holds up no one else on the peer port.
 */
@ExtendWith(VertxExtension.class)
class ListenersAsyncTest {
    static InJvmMember member;
    /** Held here: Vert.x 5 closes a client nothing refers to any more, even with requests in flight. */
    private final java.util.List<HttpClient> clients = new java.util.ArrayList<>();

    private HttpClient client(Vertx vertx, HttpClientOptions o) {
        HttpClient c = vertx.createHttpClient(o);
        clients.add(c);
        return c;
    }

    @BeforeAll
    static void start() throws Exception {
        member = InJvmMember.start();
    }

    @AfterAll
    static void stop() {
        member.close();
        TempDirs.delete(member.dataDir);
    }

    private static RequestOptions post(int port, String uri, String contentType) {
        return new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(port).setURI(uri)
            .putHeader("content-type", contentType);
    }

    @Test
    void oneClientPortServesGrpcGatewayAndHttp(Vertx vertx, VertxTestContext ctx) {
        HttpClient h1 = client(vertx, new HttpClientOptions());
        HttpClient h2 = client(vertx, new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2).setHttp2ClearTextUpgrade(false));
        Checkpoint answered = ctx.checkpoint(4);
        byte[] put = PutRequest.newBuilder().setKey(com.google.protobuf.ByteString.copyFromUtf8("split/grpc")).build().toByteArray();
        Buffer frame = Buffer.buffer().appendByte((byte) 0).appendInt(put.length).appendBytes(put);
        h2.request(post(member.clientPort, "/etcdserverpb.KV/Put", "application/grpc").putHeader("te", "trailers"))
            .compose(r -> r.send(frame)).compose(r -> r.body().map(b -> r))
            .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
                assertEquals("application/grpc", r.getHeader("content-type"));
                assertEquals("0", r.getTrailer("grpc-status"), "gRPC on h2c");
                answered.flag();
            })));
        h2.request(post(member.clientPort, "/v3/kv/range", "application/json")).compose(r -> r.send("{\"key\":\"c3BsaXQvZ3JwYw==\"}"))
            .compose(r -> r.body().map(b -> new JsonObject(b)))
            .onComplete(ctx.succeeding(j -> ctx.verify(() -> {
                assertTrue(j.containsKey("header"), "the JSON gateway over h2c: " + j);
                answered.flag();
            })));
        h1.request(post(member.clientPort, "/v3/kv/put", "application/json")).compose(r -> r.send("{\"key\":\"YQ==\",\"value\":\"Yg==\"}"))
            .compose(r -> r.body().map(b -> new JsonObject(b)))
            .onComplete(ctx.succeeding(j -> ctx.verify(() -> {
                assertTrue(j.getJsonObject("header").containsKey("revision"), "the JSON gateway over HTTP/1.1: " + j);
                answered.flag();
            })));
        h1.request(HttpMethod.GET, member.clientPort, "127.0.0.1", "/version").compose(r -> r.send()).compose(r -> r.body())
            .onComplete(ctx.succeeding(b -> ctx.verify(() -> {
                assertEquals("3.4.23", new JsonObject(b).getString("etcdserver"));
                answered.flag();
            })));
    }

    @Test
    void aPeerTricklingABodyHoldsUpNoOtherPeerRequest(Vertx vertx, VertxTestContext ctx) {
        HttpClient slow = client(vertx, new HttpClientOptions());
        HttpClient other = client(vertx, new HttpClientOptions());
        String cid = ClusterIds.hex(member.node.server().clusterId());
        Checkpoint done = ctx.checkpoint(2);
        long[] servedOtherAt = {0};
        slow.request(post(member.peerPort, "/raft", "application/protobuf").putHeader("X-Etcd-Cluster-ID", cid)
                .putHeader("X-Server-Version", "3.4.23").putHeader("X-Server-From", "1234").putHeader("content-length", "40"))
            .onComplete(ctx.succeeding(req -> {
                // 4 bytes every 100 ms, 40 in all: ~1 s for a body a healthy peer sends at once
                req.write(Buffer.buffer(new byte[] {8, 8, 16, 1}));
                long[] sent = {4};
                vertx.setPeriodic(100, t -> {
                    req.write(Buffer.buffer(new byte[] {8, 8, 16, 1}));
                    sent[0] += 4;
                    if (sent[0] == 40) {
                        vertx.cancelTimer(t);
                        req.end();
                    }
                });
                req.response().onComplete(ctx.succeeding(resp -> ctx.verify(() -> {
                    assertTrue(servedOtherAt[0] > 0, "another peer request was served while the body trickled in");
                    assertTrue(resp.statusCode() == 204 || resp.statusCode() == 400, "answered once the body is in: " + resp.statusCode());
                    done.flag();
                })));
                other.request(HttpMethod.GET, member.peerPort, "127.0.0.1", "/members").compose(r -> r.send()).compose(r -> r.body())
                    .onComplete(ctx.succeeding(b -> ctx.verify(() -> {
                        servedOtherAt[0] = System.nanoTime();
                        assertTrue(b.toString().contains(Long.toUnsignedString(member.node.server().memberId())), b.toString());
                        done.flag();
                    })));
            }));
    }

    @Test
    void garbageOnThePeerPortIsClosedAndOthersAreServed(Vertx vertx, VertxTestContext ctx) {
        Checkpoint done = ctx.checkpoint(2);
        vertx.createNetClient().connect(member.peerPort, "127.0.0.1").onComplete(ctx.succeeding((NetSocket s) -> {
            s.closeHandler(v -> done.flag()); // the server answers garbage with 400 and closes, or just closes
            s.write(Buffer.buffer("\u0000\u0001 not http at all \r\n\r\n\u00ff\u00fe"));
        }));
        HttpClient http = client(vertx, new HttpClientOptions());
        http.request(HttpMethod.GET, member.peerPort, "127.0.0.1", "/version").compose(r -> r.send()).compose(r -> r.body())
            .onComplete(ctx.succeeding(b -> ctx.verify(() -> {
                assertEquals("3.4.23", new JsonObject(b).getString("etcdserver"));
                done.flag();
            })));
    }

    /** Back-pressure: a gateway client that stops reading a large answer holds up neither its member nor others. */
    @Test
    void aClientThatStopsReadingHoldsUpNoOne(Vertx vertx, VertxTestContext ctx) throws Exception {
        // ~4 MB of values under one prefix
        HttpClient h1 = client(vertx, new HttpClientOptions());
        String value = java.util.Base64.getEncoder().encodeToString(new byte[100_000]);
        java.util.List<Future<?>> puts = new java.util.ArrayList<>();
        for (int i = 0; i < 40; i++) {
            String key = java.util.Base64.getEncoder().encodeToString(("bp/" + i).getBytes());
            puts.add(h1.request(post(member.clientPort, "/v3/kv/put", "application/json"))
                .compose(r -> r.send("{\"key\":\"" + key + "\",\"value\":\"" + value + "\"}")).compose(r -> r.body()));
        }
        Checkpoint servedWhileStalled = ctx.checkpoint();
        Future.all(puts).compose(v -> client(vertx, new HttpClientOptions())
                .request(post(member.clientPort, "/v3/kv/range", "application/json")))
            .compose(r -> r.send("{\"key\":\"YnAv\",\"range_end\":\"YnAw\"}"))
            .onComplete(ctx.succeeding(stalled -> {
                stalled.pause(); // never read: the server must stop producing, not buffer or block
                h1.request(post(member.clientPort, "/v3/kv/range", "application/json"))
                    .compose(r -> r.send("{\"key\":\"YnAvMQ==\"}")).compose(r -> r.body())
                    .onComplete(ctx.succeeding(b -> ctx.verify(() -> {
                        assertTrue(b.toString().contains("\"count\""), b.toString());
                        servedWhileStalled.flag();
                    })));
            }));
        assertTrue(ctx.awaitCompletion(60, TimeUnit.SECONDS));
        if (ctx.failed()) throw new AssertionError(ctx.causeOfFailure());
    }
}
