package io.vetcd.cluster;

import com.google.protobuf.ByteString;
import com.google.protobuf.MessageLite;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vetcd.pb.etcdserver.LeaseGrantRequest;
import io.vetcd.pb.etcdserver.MemberListRequest;
import io.vetcd.pb.etcdserver.PutRequest;
import io.vetcd.pb.etcdserver.RangeRequest;
import io.vetcd.pb.etcdserver.StatusRequest;
import io.vetcd.pb.etcdserver.StatusResponse;
import io.vetcd.pb.etcdserver.WatchCreateRequest;
import io.vetcd.pb.etcdserver.WatchRequest;
import io.vetcd.pb.lock.LockRequest;
import io.vetcd.testing.Cli;
import io.vetcd.testing.InJvmMember;
import io.vetcd.testing.Ports;
import io.vetcd.testing.RawGrpcCall;
import io.vetcd.testing.ServerProcess;
import io.vetcd.testing.TempDirs;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * etcd 3.4's interceptors let a learner answer Status and serializable Range only: every other call,
 * and every stream, ends with UNAVAILABLE "etcdserver: rpc not supported for learner", over gRPC and
 * through the JSON gateway. The same calls go to a real etcd learner and to a vetcd learner, and
 * what each answers is compared; after promotion the member answers everything.
 */
class LearnerCallsAgainstRealEtcdTest {
    static ByteString bs(String s) { return ByteString.copyFromUtf8(s); }

    @Test
    void aLearnerAnswersWhatEtcdsLearnerAnswers() throws Exception {
        Assumptions.assumeTrue(Cli.available("etcd") && Cli.available("etcdctl"), "etcd-server and etcd-client are installed");
        Vertx vertx = Vertx.vertx();
        try {
            Map<String, String> etcd;
            Map<String, String> etcdPromoted;
            try (ServerProcess voter = ServerProcess.realEtcd()) {
                int lc = Ports.free();
                int lp = Ports.free();
                addLearner(voter.endpoint(), lp);
                Path dir = TempDirs.create("etcd-learner");
                List<String> args = new ArrayList<>(ServerProcess.memberFlags("l1", dir, lc, lp));
                args.set(args.indexOf("--initial-cluster") + 1, "node1=http://127.0.0.1:" + voter.peerPort + ",l1=http://127.0.0.1:" + lp);
                args.addAll(List.of("--initial-cluster-state", "existing"));
                try (ServerProcess learner = ServerProcess.realEtcdWith(lc, lp, dir, args)) {
                    etcd = answers(vertx, lc);
                    etcdPromoted = promoted(vertx, voter.endpoint(), lc);
                }
            }
            Map<String, String> vetcd;
            Map<String, String> vetcdPromoted;
            try (InJvmMember voter = InJvmMember.start()) {
                int lc = Ports.free();
                int lp = Ports.free();
                addLearner(voter.endpoint(), lp);
                try (InJvmMember learner = InJvmMember.start("l1", TempDirs.create("vetcd-learner"), lc, lp,
                    "test=http://127.0.0.1:" + voter.peerPort + ",l1=http://127.0.0.1:" + lp, "--initial-cluster-state", "existing")) {
                    vetcd = answers(vertx, lc);
                    vetcdPromoted = promoted(vertx, voter.endpoint(), lc);
                }
            }
            String refused = "14 etcdserver: rpc not supported for learner";
            assertEquals(refused, etcd.get("Range"), "etcd's own answer: " + etcd);
            assertEquals("0", etcd.get("Range serializable"), "etcd's own answer: " + etcd);
            assertEquals(etcd, vetcd);
            assertEquals("0", etcdPromoted.get("Range"), "etcd's own answer: " + etcdPromoted);
            assertEquals(etcdPromoted, vetcdPromoted);
        } finally {
            vertx.close();
        }
    }

    private static void addLearner(String endpoint, int peerPort) {
        Cli.Result add = Cli.etcdctl(endpoint, "member", "add", "l1", "--learner", "--peer-urls=http://127.0.0.1:" + peerPort);
        assertEquals(0, add.exitCode(), add.output());
    }

    /** Status says is_learner once the member has its membership: only then are its calls decided. */
    private static void awaitLearner(Vertx vertx, int port, boolean learner) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            RawGrpcCall.Answer a = RawGrpcCall.call(vertx, port, "/etcdserverpb.Maintenance/Status", StatusRequest.getDefaultInstance());
            if (a.body().length() > 5 && StatusResponse.parseFrom(a.body().getBytes(5, a.body().length())).getIsLearner() == learner) return;
            if (System.nanoTime() > deadline) throw new AssertionError("is_learner never became " + learner + ": " + a);
            Thread.sleep(100);
        }
    }

    /** What a learner answers to each kind of call: "grpc-status grpc-message" over gRPC, "http-status {json}" over the gateway. */
    private static Map<String, String> answers(Vertx vertx, int port) throws Exception {
        awaitLearner(vertx, port, true);
        Map<String, String> out = new LinkedHashMap<>();
        out.put("Range", grpc(vertx, port, "/etcdserverpb.KV/Range", RangeRequest.newBuilder().setKey(bs("k")).build()));
        out.put("Range serializable", grpc(vertx, port, "/etcdserverpb.KV/Range",
            RangeRequest.newBuilder().setKey(bs("k")).setSerializable(true).build()));
        out.put("Status", grpc(vertx, port, "/etcdserverpb.Maintenance/Status", StatusRequest.getDefaultInstance()));
        out.put("Put", grpc(vertx, port, "/etcdserverpb.KV/Put", PutRequest.newBuilder().setKey(bs("k")).setValue(bs("v")).build()));
        out.put("MemberList", grpc(vertx, port, "/etcdserverpb.Cluster/MemberList", MemberListRequest.getDefaultInstance()));
        out.put("LeaseGrant", grpc(vertx, port, "/etcdserverpb.Lease/LeaseGrant", LeaseGrantRequest.newBuilder().setTTL(10).build()));
        out.put("Lock", grpc(vertx, port, "/v3lockpb.Lock/Lock", LockRequest.newBuilder().setName(bs("l")).build()));
        out.put("Watch", grpc(vertx, port, "/etcdserverpb.Watch/Watch",
            WatchRequest.newBuilder().setCreateRequest(WatchCreateRequest.newBuilder().setKey(bs("k"))).build()));
        // a request that does not decode: grpc-go's answer comes before the interceptor's
        out.put("Range undecodable", status(RawGrpcCall.call(vertx, port, "/etcdserverpb.KV/Range",
            Buffer.buffer().appendByte((byte) 0).appendInt(2).appendBytes(new byte[] {0x0a, 0x05}), Map.of())));
        out.put("gateway range", gateway(vertx, port, "/v3/kv/range", "{\"key\":\"aw==\"}"));
        out.put("gateway range serializable", gateway(vertx, port, "/v3/kv/range", "{\"key\":\"aw==\",\"serializable\":true}"));
        out.put("gateway status", gateway(vertx, port, "/v3/maintenance/status", "{}"));
        out.put("gateway put", gateway(vertx, port, "/v3/kv/put", "{\"key\":\"aw==\",\"value\":\"dg==\"}"));
        return out;
    }

    /** The learner promoted: it answers the calls it refused. */
    private static Map<String, String> promoted(Vertx vertx, String voterEndpoint, int port) throws Exception {
        String id = null;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            Cli.Result list = Cli.etcdctl(voterEndpoint, "member", "list");
            for (String line : list.output().split("\n")) if (line.contains(", l1,")) id = line.substring(0, line.indexOf(','));
            Cli.Result promote = id == null ? list : Cli.etcdctl(voterEndpoint, "member", "promote", id);
            if (promote.exitCode() == 0 && id != null) break; // a learner not yet in sync is refused for a while
            if (System.nanoTime() > deadline) throw new AssertionError("promotion failed: " + promote.output());
            Thread.sleep(200);
        }
        awaitLearner(vertx, port, false);
        Map<String, String> out = new LinkedHashMap<>();
        out.put("Range", grpc(vertx, port, "/etcdserverpb.KV/Range", RangeRequest.newBuilder().setKey(bs("k")).build()));
        out.put("MemberList", grpc(vertx, port, "/etcdserverpb.Cluster/MemberList", MemberListRequest.getDefaultInstance()));
        out.put("gateway range", gateway(vertx, port, "/v3/kv/range", "{\"key\":\"aw==\"}"));
        return out;
    }

    private static String grpc(Vertx vertx, int port, String path, MessageLite request) throws Exception {
        return status(RawGrpcCall.call(vertx, port, path, request));
    }

    private static String status(RawGrpcCall.Answer a) {
        return RequireLeaderTest.status(a);
    }

    private static String gateway(Vertx vertx, int port, String path, String body) throws Exception {
        var client = vertx.createHttpClient();
        try {
            return client.request(HttpMethod.POST, port, "127.0.0.1", path)
                .compose(req -> req.send(Buffer.buffer(body)))
                // an answer's header differs between the servers (ids, revision): its HTTP status is what counts
                .compose(resp -> resp.body().map(b -> resp.statusCode() == 200 ? "200" : resp.statusCode() + " " + canonical(b.toString())))
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } finally {
            client.close();
        }
    }

    /** An error body with its keys in one order. */
    private static String canonical(String json) {
        try {
            return new JsonObject(new java.util.TreeMap<>(new JsonObject(json).getMap())).encode();
        } catch (RuntimeException e) {
            return json;
        }
    }
}
