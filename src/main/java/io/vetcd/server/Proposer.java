package io.vetcd.server;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import io.vetcd.auth.AuthInfo;
import io.vetcd.pb.internal.InternalRaftRequest;
import io.vetcd.pb.internal.RequestHeader;
import io.vetcd.raft.ConfChange;
import io.vetcd.raft.ConfChangeType;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;
import java.util.function.Supplier;

/**
 * The request side's last step: gives a validated request its id and header, encodes it as etcd's
 * raft entry, hands it to the core and waits for what applying it produced, at most the request
 * timeout (etcd's processInternalRaftRequestOnce). Called on event loops; never blocks.
 */
final class Proposer {
    private final Vertx vertx;
    private final Supplier<ServerCore> core;
    private final IdGenerator ids;
    private final long maxRequestBytes;
    private final long requestTimeoutMs;
    /** Proposals of this member's clients not answered yet (etcd's proposals_pending). */
    private final AtomicLong pending = new AtomicLong();
    /**
     * The request timeouts of proposals made on each event loop (one timer per loop, not per request),
     * by event loop. A map this proposer owns rather than a ThreadLocal: a ThreadLocal's value would hold
     * the server (through the core) and so keep a stopped member alive as long as the shared event loop.
     */
    private final Map<Object, ProposalDeadlines> deadlines = new ConcurrentHashMap<>();
    volatile io.vetcd.metrics.ServerMetrics metrics = io.vetcd.metrics.ServerMetrics.DETACHED;

    Proposer(Vertx vertx, Supplier<ServerCore> core, IdGenerator ids, long maxRequestBytes, long requestTimeoutMs) {
        this.vertx = vertx;
        this.core = core;
        this.ids = ids;
        this.maxRequestBytes = maxRequestBytes;
        this.requestTimeoutMs = requestTimeoutMs;
    }

    long pending() { return pending.get(); }

    /**
     * Proposes a request on behalf of {@code ai}; completes with what applying it produced (a
     * response message, or fails with the applier's error).
     */
    Future<Object> propose(AuthInfo ai, InternalRaftRequest.Builder req) {
        long id = ids.nextRequestId();
        req.setHeader(RequestHeader.newBuilder().setID(id).setUsername(ai.username()).setAuthRevision(ai.revision()));
        return proposeData(id, req.build().toByteArray());
    }

    /** Proposes one of the v2 requests etcd 3.4 still sends through raft (bare, as etcd does). */
    Future<Object> proposeV2(LongFunction<io.vetcd.pb.etcdwal.Request> request) {
        long id = ids.nextRequestId();
        return proposeData(id, request.apply(id).toByteArray());
    }

    /** Proposes a membership change; completes with the members after it is applied here. */
    @SuppressWarnings("unchecked")
    Future<List<Member>> proposeConfChange(ConfChangeType type, long nodeId, Member member) {
        long id = ids.nextRequestId();
        byte[] context = member == null ? null : MemberJson.encodeBytes(member);
        Promise<Object> promise = Promise.promise();
        Context ctx = vertx.getOrCreateContext();
        Proposal p = new Proposal(id, new byte[0], promise, ctx);
        core.get().submit(new ServerCore.ConfProposal(p, new ConfChange(id, type, nodeId, context)));
        return withTimeout(id, promise, ctx).map(o -> (List<Member>) o);
    }

    private Future<Object> proposeData(long id, byte[] data) {
        if (data.length > maxRequestBytes) return Future.failedFuture(EtcdError.REQUEST_TOO_LARGE.exception());
        Promise<Object> promise = Promise.promise();
        Context ctx = vertx.getOrCreateContext();
        core.get().submit(new Proposal(id, data, promise, ctx));
        return withTimeout(id, promise, ctx);
    }

    /** {@code ctx}: where the proposal's answer is settled. */
    private Future<Object> withTimeout(long id, Promise<Object> promise, Context ctx) {
        pending.incrementAndGet();
        if (Context.isOnEventLoopThread() && Vertx.currentContext() == ctx) {
            // the answer is settled on this event loop (ctx's), so the deadline can wait on this thread too
            ProposalDeadlines here = deadlines.computeIfAbsent(((ContextInternal) ctx).nettyEventLoop(),
                loop -> new ProposalDeadlines(vertx, requestTimeoutMs, timedOut -> core.get().abandon(timedOut)));
            here.add(id, promise);
            return promise.future().andThen(ar -> {
                here.answered();
                settled(ar);
            });
        }
        long timer = vertx.setTimer(requestTimeoutMs, t -> {
            if (promise.tryFail(EtcdError.TIMEOUT.exception())) core.get().abandon(id);
        });
        return promise.future().andThen(ar -> {
            vertx.cancelTimer(timer);
            settled(ar);
        });
    }

    private void settled(io.vertx.core.AsyncResult<Object> ar) {
        pending.decrementAndGet();
        if (ar.failed() && isProposalFailure(ar.cause())) metrics.proposalsFailed.inc();
    }

    /** etcd counts a proposal as failed when raft refused it or it timed out, not when applying it gave an error. */
    private static boolean isProposalFailure(Throwable t) {
        if (!(t instanceof EtcdException e)) return false;
        return switch (e.error()) {
            case TIMEOUT, NO_LEADER, LEADER_CHANGED, STOPPED -> true;
            default -> false;
        };
    }
}
