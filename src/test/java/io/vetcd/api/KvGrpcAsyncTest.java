package io.vetcd.api;

import com.google.protobuf.ByteString;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.client.InvalidStatusException;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.vetcd.pb.etcdserver.KVGrpcClient;
import io.vetcd.pb.etcdserver.PutRequest;
import io.vetcd.pb.etcdserver.RangeRequest;
import io.vetcd.testing.InJvmMember;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The KV service driven asynchronously over gRPC by the same generated stubs the server uses. */
@ExtendWith(VertxExtension.class)
class KvGrpcAsyncTest {
    static InJvmMember member;

    @BeforeAll
    static void start() throws Exception {
        member = InJvmMember.start();
    }

    @AfterAll
    static void stop() {
        member.close();
    }

    private static KVGrpcClient kv(Vertx vertx) {
        return KVGrpcClient.create(GrpcClient.client(vertx),
            SocketAddress.inetSocketAddress(member.clientPort, "127.0.0.1"));
    }

    private static ByteString bs(String s) { return ByteString.copyFromUtf8(s); }

    @Test
    void concurrentPutsGetDistinctIncreasingRevisions(Vertx vertx, VertxTestContext ctx) {
        KVGrpcClient kv = kv(vertx);
        List<Future<Long>> puts = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            puts.add(kv.put(PutRequest.newBuilder().setKey(bs("async/" + i)).setValue(bs("v" + i)).build())
                .map(r -> r.getHeader().getRevision()));
        }
        Future.all(puts).compose(all -> {
            List<Long> revs = all.list();
            ctx.verify(() -> assertEquals(200, revs.stream().distinct().count(), "one revision per put"));
            return kv.range(RangeRequest.newBuilder().setKey(bs("async/")).setRangeEnd(bs("async0")).setCountOnly(true).build());
        }).onComplete(ctx.succeeding(r -> ctx.verify(() -> {
            assertEquals(200, r.getCount());
            assertTrue(r.getHeader().getMemberId() != 0 && r.getHeader().getClusterId() != 0, "header has ids");
            ctx.completeNow();
        })));
    }

    @Test
    void emptyKeyGetsEtcdsError(Vertx vertx, VertxTestContext ctx) {
        kv(vertx).put(PutRequest.newBuilder().setValue(bs("x")).build())
            .onComplete(ctx.failing(err -> ctx.verify(() -> {
                assertTrue(err instanceof InvalidStatusException, String.valueOf(err));
                assertEquals(GrpcStatus.INVALID_ARGUMENT, ((InvalidStatusException) err).actualStatus());
                ctx.completeNow();
            })));
    }
}
