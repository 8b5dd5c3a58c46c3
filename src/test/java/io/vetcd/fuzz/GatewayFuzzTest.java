package io.vetcd.fuzz;

import io.vetcd.testing.ClientContext;

import com.google.protobuf.Descriptors;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * etcd's JSON gateway ({@code /v3/*}) of a real member fed malformed JSON, bad base64, wrong types,
 * huge numbers and requests with extreme fields: every answer is 200 with JSON, or grpc-gateway's
 * error body ({@code error}, {@code message}, {@code code}) with the HTTP status grpc-gateway maps
 * that code to, and no Java in it; nothing escapes onto the event loop; the member stays intact.
 */
// In mvn package since both client-side causes of its unanswered calls are fixed: held connections
// (HttpExchange resets what it gives up on) and fast answers lost by Vert.x's client (ClientContext).
class GatewayFuzzTest extends MemberFuzzing {

    /** Gateway path -> the gRPC method it calls (its request type is the JSON's schema). */
    static final Map<String, Descriptors.MethodDescriptor> ROUTES = routes();

    private static Map<String, Descriptors.MethodDescriptor> routes() {
        Map<String, String> paths = new LinkedHashMap<>();
        paths.put("kv/range", "KV/Range");
        paths.put("kv/put", "KV/Put");
        paths.put("kv/deleterange", "KV/DeleteRange");
        paths.put("kv/txn", "KV/Txn");
        paths.put("kv/compaction", "KV/Compact");
        paths.put("lease/grant", "Lease/LeaseGrant");
        paths.put("lease/revoke", "Lease/LeaseRevoke");
        paths.put("kv/lease/timetolive", "Lease/LeaseTimeToLive");
        paths.put("lease/leases", "Lease/LeaseLeases");
        paths.put("lease/keepalive", "Lease/LeaseKeepAlive");
        paths.put("maintenance/status", "Maintenance/Status");
        paths.put("cluster/member/list", "Cluster/MemberList");
        paths.put("auth/status", "Auth/AuthStatus");
        paths.put("auth/authenticate", "Auth/Authenticate");
        paths.put("auth/user/add", "Auth/UserAdd");
        paths.put("auth/user/get", "Auth/UserGet");
        paths.put("auth/user/delete", "Auth/UserDelete");
        paths.put("auth/user/changepw", "Auth/UserChangePassword");
        paths.put("auth/user/grant", "Auth/UserGrantRole");
        paths.put("auth/role/add", "Auth/RoleAdd");
        paths.put("auth/role/grant", "Auth/RoleGrantPermission");
        paths.put("auth/role/revoke", "Auth/RoleRevokePermission");
        paths.put("lock/lock", "Lock/Lock");
        paths.put("lock/unlock", "Lock/Unlock");
        paths.put("election/campaign", "Election/Campaign");
        paths.put("election/proclaim", "Election/Proclaim");
        paths.put("election/leader", "Election/Leader");
        paths.put("election/resign", "Election/Resign");
        paths.put("election/observe", "Election/Observe");
        paths.put("watch", "Watch/Watch");
        Map<String, Descriptors.MethodDescriptor> out = new LinkedHashMap<>();
        paths.forEach((path, method) -> out.put(path, GrpcMethods.ALL.stream()
            .filter(m -> (m.getService().getName() + "/" + m.getName()).equals(method)).findFirst().orElseThrow()));
        return out;
    }

    record JsonCall(String path, String body, Descriptors.MethodDescriptor method) {
        boolean streams() {
            return path.equals("watch") || path.equals("election/observe");
        }

        /** A Lock or Campaign waits, as it should, while an earlier fuzzed call holds the lock or leads the election. */
        boolean mayWait() {
            return streams() || path.equals("lock/lock") || path.equals("election/campaign");
        }

        @Override
        public String toString() {
            return "POST /v3/" + path + " " + (body.length() > 300 ? body.substring(0, 300) + "..." : body);
        }
    }

    @Property(tries = 200) // ~30-45 s on a loaded 2-core machine; long runs: FuzzBudget
    void everyGatewayAnswerIsCleanJson(@ForAll("jsonCalls") JsonCall call) throws Exception {
        Assume.that(!harmful(call));
        HttpExchange a;
        try {
            a = HttpExchange.send(http, member.member.clientPort, HttpMethod.POST, "/v3/" + call.path,
                Map.of("content-type", "application/json"), Buffer.buffer(call.body), call.streams(), call.mayWait() ? 3 : 20);
        } catch (AssertionError noAnswer) {
            // a watch or observe stream that got no first message (a cancel or progress request, an election
            // nobody leads): grpc-gateway writes its headers with the first message too, so etcd is silent as well
            // and a Lock or Campaign behind a holder waits (its lease may live longer than the test)
            if (call.mayWait()) return;
            throw noAnswer;
        }
        assertFalse(a.leaksJava(), () -> call + " -> " + a);
        if (a.status() == 200) return;
        if (a.status() == 413) return; // a body over --max-request-bytes, refused before it is read (etcd: too large)
        JsonObject error;
        try {
            error = new JsonObject(a.body());
        } catch (RuntimeException e) {
            throw new AssertionError("not JSON: " + call + " -> " + a);
        }
        assertNotNull(error.getInteger("code"), () -> call + " -> " + a);
        assertEquals(error.getString("error"), error.getString("message"), () -> call + " -> " + a);
        assertEquals(httpStatusOf(error.getInteger("code")), a.status(), () -> "grpc-gateway's status for the code: " + call + " -> " + a);
        // etcd's own errors that are not gRPC statuses go out as Unknown, which grpc-gateway makes a 500
        String text = error.getString("error");
        assertTrue(a.status() != 500 || error.getInteger("code") == 2 && (text.startsWith("etcdserver: ")
                || text.startsWith("mvcc: ") || text.startsWith("election: ") || text.equals("\"leader\" field must be provided")),
            () -> "a 500 that is not one of etcd's own errors: " + call + " -> " + a);
    }

    /** grpc-gateway's runtime.HTTPStatusFromCode. */
    private static int httpStatusOf(int code) {
        return switch (code) {
            case 0 -> 200;
            case 1 -> 408;
            case 3, 9, 11 -> 400;
            case 4 -> 504;
            case 5 -> 404;
            case 6, 10 -> 409;
            case 7 -> 403;
            case 16 -> 401;
            case 8 -> 429;
            case 12 -> 501;
            case 14 -> 503;
            default -> 500;
        };
    }

    @Provide
    Arbitrary<JsonCall> jsonCalls() {
        return Arbitraries.randomValue(r -> {
            var e = ROUTES.entrySet().stream().skip(r.nextInt(ROUTES.size())).findFirst().orElseThrow();
            Message m = RandomRequests.of(e.getValue().getInputType(), r, 3);
            String json;
            try {
                json = JsonFormat.printer().print(m);
            } catch (Exception ex) {
                json = "{}";
            }
            return new JsonCall(e.getKey(), garble(r, json), e.getValue());
        }).withoutEdgeCases();
    }

    /** Breaks JSON the ways a hand-written client does: types, base64, numbers, syntax. */
    static String garble(Random r, String json) {
        return switch (r.nextInt(12)) {
            case 0, 1, 2 -> json;
            case 3 -> json.substring(0, r.nextInt(json.length() + 1));
            case 4 -> json.replaceFirst(":\\s*\"[^\"]*\"", ": " + PeerRouteFuzzTest.pick(r, "12", "true", "null", "[]", "{}", "-1e400"));
            case 5 -> json.replaceFirst(":\\s*\"[^\"]*\"", ": \"" + PeerRouteFuzzTest.pick(r, "!!not base64!!", "Zm9v=", "=", "%%", "\\u0000", "Zm9v\\n") + "\"");
            case 6 -> json.replaceFirst(":\\s*(-?\\d+|\"-?\\d+\")", ": " + PeerRouteFuzzTest.pick(r, "\"99999999999999999999999\"", "1.5", "-0",
                "\"0x10\"", "1e3", "\"\"", "\"-9223372036854775809\"", "18446744073709551615", "true"));
            case 7 -> "{\"unknownField\": 1, " + (json.length() > 1 ? json.substring(1) : "}");
            case 8 -> PeerRouteFuzzTest.pick(r, "", "null", "[]", "1", "\"x\"", "{", "}", "{\"key\":", "{\"key\":\"a\",\"key\":\"b\"}",
                "{\"key\":\"" + "A".repeat(2_100_000) + "\"}", "[".repeat(5000), "{\"a\":".repeat(3000) + "1" + "}".repeat(3000));
            case 9 -> new String(PeerRouteFuzzTest.bytes(r), java.nio.charset.StandardCharsets.ISO_8859_1);
            case 10 -> json.replace("\"", "'");
            default -> json.replaceFirst("\\{", "{\"requestRange\":{\"key\":\"" + "/".repeat(r.nextInt(10)) + "\"},");
        };
    }

    /** Whether the member could read a request out of this JSON that {@link SelfHarm} forbids (read leniently). */
    private static boolean harmful(JsonCall call) {
        if (call.path.equals("auth/enable")) return true;
        DynamicMessage.Builder b = DynamicMessage.newBuilder(call.method.getInputType());
        try {
            JsonFormat.parser().ignoringUnknownFields().merge(call.body, b);
        } catch (Exception e) {
            return false;
        }
        return SelfHarm.wouldHarm(call.method, b.build(), member.memberId());
    }
}
