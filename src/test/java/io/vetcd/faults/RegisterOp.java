package io.vetcd.faults;

import io.vertx.core.json.JsonObject;

import java.util.Objects;

/**
 * One client operation on one key of the register model, as observed by the
 * client. Values are unique per write (so a value identifies the write that
 * produced it); {@code null} is "the key does not exist".
 *
 * <ul>
 *   <li>PUT(value) → ok, new mod_revision {@code rev}</li>
 *   <li>GET → (value, mod_revision {@code rev}; 0 if absent)</li>
 *   <li>CAS(expectRev, expectValue → value): a Txn "if mod_revision(key) == expectRev then put else get".
 *       {@code expectValue} is the value the client saw with expectRev. Succeeded → {@code rev} is the new
 *       mod_revision; failed → (value read by the else branch, its {@code rev})</li>
 * </ul>
 * An {@link Outcome#UNKNOWN} op (timeout, connection lost) may or may not have
 * taken effect; its return time is +∞ ({@link Long#MAX_VALUE}).
 */
public record RegisterOp(int client, String key, Kind kind, String value, long expectRev, String expectValue,
                         Outcome outcome, String readValue, long rev, long call, long ret, String member)
        implements Linearizability.Timed {

    public enum Kind { PUT, GET, CAS }

    public enum Outcome { OK, CAS_FAILED, UNKNOWN }

    public static RegisterOp put(int client, String key, String value, long rev, long call, long ret) {
        return new RegisterOp(client, key, Kind.PUT, value, 0, null, Outcome.OK, null, rev, call, ret, null);
    }

    public static RegisterOp putUnknown(int client, String key, String value, long call) {
        return new RegisterOp(client, key, Kind.PUT, value, 0, null, Outcome.UNKNOWN, null, -1, call, Long.MAX_VALUE, null);
    }

    public static RegisterOp get(int client, String key, String readValue, long rev, long call, long ret) {
        return new RegisterOp(client, key, Kind.GET, null, 0, null, Outcome.OK, readValue, rev, call, ret, null);
    }

    public static RegisterOp casOk(int client, String key, long expectRev, String expectValue, String value, long rev,
                                   long call, long ret) {
        return new RegisterOp(client, key, Kind.CAS, value, expectRev, expectValue, Outcome.OK, null, rev, call, ret, null);
    }

    public static RegisterOp casFailed(int client, String key, long expectRev, String expectValue, String value,
                                       String readValue, long readRev, long call, long ret) {
        return new RegisterOp(client, key, Kind.CAS, value, expectRev, expectValue, Outcome.CAS_FAILED, readValue, readRev,
            call, ret, null);
    }

    public static RegisterOp casUnknown(int client, String key, long expectRev, String expectValue, String value, long call) {
        return new RegisterOp(client, key, Kind.CAS, value, expectRev, expectValue, Outcome.UNKNOWN, null, -1, call,
            Long.MAX_VALUE, null);
    }

    public RegisterOp at(String member) {
        return new RegisterOp(client, key, kind, value, expectRev, expectValue, outcome, readValue, rev, call, ret, member);
    }

    public RegisterOp withRead(String readValue, long rev) {
        return new RegisterOp(client, key, kind, value, expectRev, expectValue, outcome, readValue, rev, call, ret, member);
    }

    public JsonObject toJson() {
        JsonObject j = new JsonObject().put("client", client).put("key", key).put("kind", kind.name())
            .put("outcome", outcome.name()).put("call", call).put("ret", ret).put("rev", rev);
        if (value != null) j.put("value", value);
        if (kind == Kind.CAS) j.put("expectRev", expectRev).put("expectValue", expectValue);
        if (readValue != null) j.put("readValue", readValue);
        if (member != null) j.put("member", member);
        return j;
    }

    public static RegisterOp fromJson(JsonObject j) {
        return new RegisterOp(j.getInteger("client"), j.getString("key"), Kind.valueOf(j.getString("kind")),
            j.getString("value"), j.getLong("expectRev", 0L), j.getString("expectValue"),
            Outcome.valueOf(j.getString("outcome")), j.getString("readValue"), j.getLong("rev"), j.getLong("call"),
            j.getLong("ret"), j.getString("member"));
    }

    @Override
    public String toString() {
        String r = ret == Long.MAX_VALUE ? "inf" : Long.toString(ret);
        String what = switch (kind) {
            case PUT -> "put(" + value + ")" + (outcome == Outcome.OK ? " -> rev " + rev : " -> ?");
            case GET -> "get() -> " + readValue + "@" + rev;
            case CAS -> "cas(" + expectValue + "@" + expectRev + " -> " + value + ")" + switch (outcome) {
                case OK -> " -> ok rev " + rev;
                case CAS_FAILED -> " -> failed, saw " + readValue + "@" + rev;
                case UNKNOWN -> " -> ?";
            };
        };
        return "c" + client + (member == null ? "" : "@" + member) + " " + key + " " + what + " [" + call + ", " + r + "]";
    }

    /**
     * The register's sequential specification. The state is (value, mod_revision),
     * with mod_revision -1 when it is not known (after a write of unknown
     * outcome); a later read teaches it.
     */
    public static final class Model implements Linearizability.Model<Model.State, RegisterOp> {
        public record State(String value, long rev) {}

        private static final State ABSENT = new State(null, 0);

        @Override
        public State init() {
            return ABSENT;
        }

        private static boolean sees(State s, String value, long rev) {
            return Objects.equals(s.value(), value) && (s.rev() < 0 || s.rev() == rev);
        }

        @Override
        public State step(State s, RegisterOp op) {
            return switch (op.kind()) {
                case PUT -> new State(op.value(), op.outcome() == Outcome.OK ? op.rev() : -1);
                case GET -> sees(s, op.readValue(), op.rev()) ? new State(op.readValue(), op.rev()) : null;
                case CAS -> {
                    boolean matches = sees(s, op.expectValue(), op.expectRev());
                    yield switch (op.outcome()) {
                        case OK -> matches ? new State(op.value(), op.rev()) : null;
                        case CAS_FAILED -> !matches && sees(s, op.readValue(), op.rev())
                            ? new State(op.readValue(), op.rev()) : null;
                        // unknown: if it applies here it took effect; "never applied" is the
                        // linearization after everything else, which this also allows
                        case UNKNOWN -> matches ? new State(op.value(), -1) : s;
                    };
                }
            };
        }
    }
}
