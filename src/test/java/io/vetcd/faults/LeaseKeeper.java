package io.vetcd.faults;

import com.google.protobuf.ByteString;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.client.GrpcClientRequest;
import io.vetcd.pb.etcdserver.KVGrpcClient;
import io.vetcd.pb.etcdserver.LeaseGrantRequest;
import io.vetcd.pb.etcdserver.LeaseGrantResponse;
import io.vetcd.pb.etcdserver.LeaseGrpcClient;
import io.vetcd.pb.etcdserver.LeaseKeepAliveRequest;
import io.vetcd.pb.etcdserver.LeaseKeepAliveResponse;
import io.vetcd.pb.etcdserver.PutRequest;
import io.vetcd.pb.etcdserver.RangeRequest;
import io.vetcd.pb.etcdserver.RangeResponse;

import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Issue 16's lease check: a client that holds a lease, keeps it alive once a second through any
 * member that answers (moving on to the next member when one does not), and has a key attached to
 * it. It reads the key (linearizable) every second. The key, or the lease, must never be gone
 * before the lease could have expired.
 *
 * <p>The bound: a keep-alive answered with TTL {@code T} was carried out by the leader at some time
 * after the keep-alive was sent at {@code s}, so the lease's expiry is at least {@code s + T} (a new
 * leader only extends it). If the key or lease is seen gone at {@code o < s + T}, the revoke happened
 * before {@code o}, so before the lease could expire: an early expiry. The harness and the members
 * share one machine and its monotonic clock, so the two times are comparable. A loss seen after that
 * bound is a legitimate expiry (no keep-alive got through for a whole TTL); those are counted too.
 */
final class LeaseKeeper {
    /** A lease found gone: when, and what the last successful keep-alive promised. */
    record Loss(String keeper, long leaseId, long observedNanos, long renewSentNanos, long ttlSeconds, String how) {
        boolean early() {
            return observedNanos < renewSentNanos + TimeUnit.SECONDS.toNanos(ttlSeconds);
        }

        String describe() {
            double since = (observedNanos - renewSentNanos) / 1e9;
            return String.format("%s: lease %x %s at t=%.2fs, %.2f s after the last successful keep-alive was sent (TTL %d s)%s",
                keeper, leaseId, how, observedNanos / 1e9, since, ttlSeconds,
                early() ? String.format(": EARLY by %.2f s", ttlSeconds - since) : ": legitimate expiry");
        }
    }

    static final String PREFIX = "leased/";

    private final String name;
    private final List<GrpcClient> grpcs;
    private final List<SocketAddress> addrs;
    private final List<KVGrpcClient> kvs;
    private final long ttlSeconds;
    private final long deadlineMs;
    private final ConcurrentLinkedQueue<Loss> losses;
    private int member;
    final AtomicLong renewals = new AtomicLong();
    final AtomicLong failedRenewals = new AtomicLong();
    final AtomicLong grants = new AtomicLong();
    /** The longest time between the sends of two successful keep-alives (or grant and keep-alive), ns. */
    final AtomicLong longestGapNanos = new AtomicLong();

    LeaseKeeper(String name, List<GrpcClient> grpcs, List<SocketAddress> addrs, List<KVGrpcClient> kvs, int firstMember,
                long ttlSeconds, long deadlineMs, ConcurrentLinkedQueue<Loss> losses) {
        this.name = name;
        this.grpcs = grpcs;
        this.addrs = addrs;
        this.kvs = kvs;
        this.member = firstMember;
        this.ttlSeconds = ttlSeconds;
        this.deadlineMs = deadlineMs;
        this.losses = losses;
    }

    void run(AtomicBoolean stop) {
        long lease = 0;
        long renewSent = 0;
        long ttl = 0;
        ByteString key = null;
        boolean keyAcked = false;
        int n = 0;
        while (!stop.get()) {
            try {
                if (lease == 0) {
                    long sent = FaultSoakTest.now();
                    LeaseGrantResponse g = FaultSoakTest.await(lease().leaseGrant(LeaseGrantRequest.newBuilder().setTTL(ttlSeconds).build()),
                        deadlineMs);
                    lease = g.getID();
                    ttl = g.getTTL();
                    renewSent = sent;
                    grants.incrementAndGet();
                    key = ByteString.copyFromUtf8(PREFIX + name + "/" + (n++));
                    keyAcked = false;
                }
                if (!keyAcked) {
                    // a put whose answer was lost may have happened: putting the same key again is harmless
                    FaultSoakTest.await(kvs.get(member).put(PutRequest.newBuilder().setKey(key).setValue(ByteString.copyFromUtf8(name))
                        .setLease(lease).build()), deadlineMs);
                    keyAcked = true;
                }
                Thread.sleep(1000);
                long sent = FaultSoakTest.now();
                LeaseKeepAliveResponse r = keepAliveOnce(lease);
                if (r.getTTL() <= 0) {
                    losses.add(new Loss(name, lease, FaultSoakTest.now(), renewSent, ttl, "said gone by a keep-alive"));
                    lease = 0;
                    continue;
                }
                longestGapNanos.accumulateAndGet(sent - renewSent, Math::max);
                renewSent = sent;
                ttl = r.getTTL();
                renewals.incrementAndGet();
                RangeResponse read = FaultSoakTest.await(kvs.get(member).range(RangeRequest.newBuilder().setKey(key).build()), deadlineMs);
                if (read.getKvsCount() == 0) {
                    losses.add(new Loss(name, lease, FaultSoakTest.now(), renewSent, ttl, "its key read as gone"));
                    lease = 0;
                }
            } catch (FaultSoakTest.Failure f) {
                failedRenewals.incrementAndGet();
                member = (member + 1) % kvs.size();
                FaultSoakTest.sleepQuietly(100);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private LeaseGrpcClient lease() {
        return LeaseGrpcClient.create(grpcs.get(member), addrs.get(member));
    }

    /** One keep-alive on a stream of its own (as {@code etcdctl lease keep-alive --once}); the stream is cancelled after. */
    private LeaseKeepAliveResponse keepAliveOnce(long id) throws FaultSoakTest.Failure, InterruptedException {
        Promise<LeaseKeepAliveResponse> answer = Promise.promise();
        GrpcClientRequest<LeaseKeepAliveRequest, LeaseKeepAliveResponse>[] call = new GrpcClientRequest[1];
        grpcs.get(member).request(addrs.get(member), LeaseGrpcClient.LeaseKeepAlive).onComplete(ar -> {
            if (ar.failed()) {
                answer.tryFail(ar.cause());
                return;
            }
            GrpcClientRequest<LeaseKeepAliveRequest, LeaseKeepAliveResponse> req = ar.result();
            call[0] = req;
            req.response().onComplete(resp -> {
                if (resp.failed()) {
                    answer.tryFail(resp.cause());
                    return;
                }
                resp.result().handler(answer::tryComplete);
                resp.result().exceptionHandler(answer::tryFail);
                resp.result().endHandler(v -> answer.tryFail("keep-alive stream ended without an answer: " + resp.result().status()));
            });
            req.write(LeaseKeepAliveRequest.newBuilder().setID(id).build());
        });
        Future<LeaseKeepAliveResponse> f = answer.future();
        try {
            return FaultSoakTest.await(f, deadlineMs);
        } finally {
            GrpcClientRequest<LeaseKeepAliveRequest, LeaseKeepAliveResponse> req = call[0];
            if (req != null) req.cancel();
        }
    }
}
