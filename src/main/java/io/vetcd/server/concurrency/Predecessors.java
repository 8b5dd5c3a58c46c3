package io.vetcd.server.concurrency;

import com.google.protobuf.ByteString;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vetcd.auth.AuthInfo;
import io.vertx.core.Promise;
import io.vetcd.pb.etcdserver.ResponseHeader;
import io.vetcd.pb.mvcc.Event;
import io.vetcd.server.EtcdError;
import io.vetcd.server.EtcdServer;

/**
 * clientv3 concurrency's waitDeletes: wait until no key under a prefix was created at or before a
 * revision. It watches only the youngest such key (the direct predecessor) for its delete, then
 * looks again, so each waiter wakes once per predecessor instead of on every change (no herd).
 * Nothing blocks: each step is a read or a watch continuing a Future.
 */
final class Predecessors {
    private Predecessors() {}

    /** Completes with the header of the read that found no predecessor left. */
    static Future<ResponseHeader> waitGone(EtcdServer server, AuthInfo ai, Context ctx, ByteString prefix, long maxCreateRev,
                                           Cancellation cancel) {
        if (cancel.isCancelled()) return Future.failedFuture(ConcurrencyError.CANCELED.exception());
        return server.range(ai, ContenderKeys.lastCreatedUpTo(prefix, maxCreateRev)).compose(resp -> {
            if (resp.getKvsCount() == 0) return Future.succeededFuture(resp.getHeader());
            ByteString last = resp.getKvs(0).getKey();
            return waitDelete(server, ctx, last, resp.getHeader().getRevision(), cancel)
                .compose(v -> waitGone(server, ai, ctx, prefix, maxCreateRev, cancel));
        });
    }

    /**
     * waitDelete: watch {@code key} from {@code rev} (the read's revision, so a delete right after the
     * read is not missed) until a delete event. A watch canceled by the server fails the wait, as
     * in clientv3 (compaction gives etcd's compacted error).
     */
    static Future<Void> waitDelete(EtcdServer server, Context ctx, ByteString key, long rev, Cancellation cancel) {
        Promise<Void> done = Promise.promise();
        KeyWatch watch = KeyWatch.open(server, ctx, key, null, rev, r -> {
            if (r.getCanceled()) {
                done.tryFail(r.getCompactRevision() > 0 ? EtcdError.COMPACTED.exception()
                    : ConcurrencyError.LOST_WATCHER.exception());
                return;
            }
            for (Event e : r.getEventsList()) {
                if (e.getType() == Event.EventType.DELETE) {
                    done.tryComplete();
                    return;
                }
            }
        });
        Runnable unhook = cancel.onCancel(() -> done.tryFail(ConcurrencyError.CANCELED.exception()));
        return done.future().andThen(ar -> {
            unhook.run();
            watch.close();
        });
    }
}
