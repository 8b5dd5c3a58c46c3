package io.vetcd.api;

import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.grpc.server.StatusException;
import io.vetcd.pb.etcdserver.RangeRequest;
import io.vetcd.pb.etcdserver.StatusRequest;
import io.vetcd.server.EtcdError;
import io.vetcd.server.EtcdServer;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which calls a member takes, decided before any handler runs, as etcd 3.4's gRPC interceptors
 * decide (its Lock and Election services included):
 * <ul>
 * <li>a learner answers only Status and serializable Range (it counts for no quorum and may lag);
 *     every other call, and every stream, ends with UNAVAILABLE "etcdserver: rpc not supported for learner";</li>
 * <li>a call whose metadata says {@code hasleader: true} (clientv3's WithRequireLeader: etcdctl watch
 *     and clientv3's lease keep-alives send it) ends with UNAVAILABLE "etcdserver: no leader" when the
 *     member knows no leader. A stream opened so is ended with that status once the member has seen no
 *     leader at three election-timeout ticks in a row, so that its client moves to a member that
 *     has one rather than wait on a partitioned one (etcd's monitorLeader).</li>
 * </ul>
 * One per client listener instance (its event loop); its leader check runs only while it has
 * require-leader streams to end.
 */
public final class CallAdmission {
    /** etcd's rpctypes.MaxNoLeaderCnt: ticks without a leader before require-leader streams end. */
    static final int TICKS_WITHOUT_LEADER = 3;

    private final Vertx vertx;
    private final EtcdServer server;
    /** Open streams that asked for a leader, each to be ended on its own context. */
    private final Set<GoGrpcCall<?, ?>> requireLeader = ConcurrentHashMap.newKeySet();
    private int ticksWithoutLeader;
    private long timer = -1;

    public CallAdmission(Vertx vertx, EtcdServer server) {
        this.vertx = vertx;
        this.server = server;
    }

    /** Whether the member is a learner now. */
    boolean learner() {
        return server.isLearner();
    }

    /** etcd's isRPCSupportedForLearner: the only requests a learner answers. */
    static boolean learnerAnswers(Object request) {
        return request instanceof StatusRequest || request instanceof RangeRequest r && r.getSerializable();
    }

    /** Why a unary call with this request is refused, or null to run it. */
    StatusException refuseUnary(Object request, MultiMap headers) {
        StatusException no = refuseOnLearner(request);
        return no != null ? no : refuseWithoutLeader(headers);
    }

    /** Why a learner refuses this request (null: it answers it, or the member is no learner). */
    StatusException refuseOnLearner(Object request) {
        return server.isLearner() && !learnerAnswers(request) ? status(EtcdError.NOT_SUPPORTED_FOR_LEARNER) : null;
    }

    /** Why a stream is refused before its first message, or null to run it. */
    StatusException refuseStream(MultiMap headers) {
        return server.isLearner() ? status(EtcdError.NOT_SUPPORTED_FOR_LEARNER) : refuseWithoutLeader(headers);
    }

    /** etcd's require-leader check: a call that asked for a leader, on a member that knows none. */
    private StatusException refuseWithoutLeader(MultiMap headers) {
        return requiresLeader(headers) && !hasLeader() ? status(EtcdError.NO_LEADER) : null;
    }

    /** A stream admitted: if it asked for a leader, it ends when the member has long had none. */
    void opened(GoGrpcCall<?, ?> stream, MultiMap headers) {
        if (!requiresLeader(headers)) return;
        requireLeader.add(stream);
        if (timer < 0) timer = vertx.setPeriodic(Math.max(1, server.electionTimeoutMs()), id -> tick());
    }

    private static boolean requiresLeader(MultiMap headers) {
        return "true".equals(headers.get("hasleader"));
    }

    private boolean hasLeader() {
        var core = server.core();
        return core != null && core.leaderId() != 0;
    }

    private static StatusException status(EtcdError e) {
        return new StatusException(e.status, e.message);
    }

    /** Every election timeout, as etcd's monitor: streams end after three leaderless ticks in a row. */
    private void tick() {
        requireLeader.removeIf(GoGrpcCall::ended);
        if (requireLeader.isEmpty()) {
            vertx.cancelTimer(timer); // none to end: the next such stream starts counting afresh
            timer = -1;
            ticksWithoutLeader = 0;
            return;
        }
        ticksWithoutLeader = hasLeader() ? 0 : ticksWithoutLeader + 1;
        if (ticksWithoutLeader < TICKS_WITHOUT_LEADER) return;
        for (GoGrpcCall<?, ?> stream : requireLeader) {
            requireLeader.remove(stream);
            stream.endOnItsContext(EtcdError.NO_LEADER.status, EtcdError.NO_LEADER.message);
        }
    }
}
