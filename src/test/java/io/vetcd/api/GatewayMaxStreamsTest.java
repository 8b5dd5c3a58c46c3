package io.vetcd.api;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vetcd.testing.InJvmMember;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code --max-concurrent-streams 3}: with three gateway watches open, a fourth gateway request
 * waits (etcd's gateway shares one gRPC connection), and is answered once a watch goes away.
 */
class GatewayMaxStreamsTest {
    @Test
    void fourthGatewayRequestWaitsForAStream() throws Exception {
        Vertx client = Vertx.vertx();
        try (InJvmMember member = InJvmMember.start("--max-concurrent-streams", "3")) {
            // one HTTP/1.1 connection per request, as curl makes them
            HttpClient http = client.createHttpClient(new HttpClientOptions().setKeepAlive(false), new PoolOptions().setHttp1MaxSize(10));
            List<HttpClientResponse> watches = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                CompletableFuture<Void> created = new CompletableFuture<>();
                HttpClientResponse w = post(http, member.clientPort, "/v3/watch", "{\"create_request\":{\"key\":\"Zm9v\"}}")
                    .onSuccess(r -> r.handler(b -> { if (b.toString().contains("\"created\":true")) created.complete(null); }))
                    .await(10, TimeUnit.SECONDS);
                created.get(10, TimeUnit.SECONDS);
                watches.add(w);
            }
            CompletableFuture<String> range = new CompletableFuture<>();
            post(http, member.clientPort, "/v3/kv/range", "{\"key\":\"Zm9v\"}")
                .compose(HttpClientResponse::body).onSuccess(b -> range.complete(b.toString()));
            assertThrows(TimeoutException.class, () -> range.get(1500, TimeUnit.MILLISECONDS), "answered past the limit");

            watches.get(0).request().connection().close();
            String answer = range.get(10, TimeUnit.SECONDS);
            assertTrue(answer.contains("\"revision\""), answer);
        } finally {
            client.close();
        }
    }

    @Test
    void belowTheLimitEveryRequestIsAnswered() throws Exception {
        Vertx client = Vertx.vertx();
        try (InJvmMember member = InJvmMember.start("--max-concurrent-streams", "3")) {
            HttpClient http = client.createHttpClient(new HttpClientOptions().setKeepAlive(false), new PoolOptions().setHttp1MaxSize(10));
            for (int i = 0; i < 2; i++) {
                CompletableFuture<Void> created = new CompletableFuture<>();
                post(http, member.clientPort, "/v3/watch", "{\"create_request\":{\"key\":\"Zm9v\"}}")
                    .onSuccess(r -> r.handler(b -> { if (b.toString().contains("\"created\":true")) created.complete(null); }));
                created.get(10, TimeUnit.SECONDS);
            }
            for (int i = 0; i < 5; i++) { // each ends, so it gives its stream back
                String body = post(http, member.clientPort, "/v3/kv/range", "{\"key\":\"Zm9v\"}")
                    .compose(HttpClientResponse::body).map(Buffer::toString).await(10, TimeUnit.SECONDS);
                assertTrue(body.contains("\"revision\""), body);
            }
        } finally {
            client.close();
        }
    }

    private static Future<HttpClientResponse> post(HttpClient http, int port, String path, String json) {
        return http.request(new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(port).setURI(path))
            .compose(req -> req.send(json));
    }
}
