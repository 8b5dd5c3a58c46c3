package io.vetcd.server.concurrency;

import com.google.protobuf.ByteString;
import io.vertx.core.Context;
import io.vetcd.auth.AuthInfo;
import io.vetcd.pb.election.LeaderResponse;
import io.vetcd.pb.etcdserver.ResponseHeader;
import io.vetcd.pb.etcdserver.WatchResponse;
import io.vetcd.pb.mvcc.Event;
import io.vetcd.pb.mvcc.KeyValue;
import io.vetcd.server.EtcdServer;

import java.util.function.Consumer;

/**
 * Election.Observe: streams the leader's key-value every time the leader or its value changes
 * (clientv3 Election.observe). Find the leader (or wait for the first candidate's put), send it,
 * follow that key's puts until it is deleted, then find the next leader. Intermediate leaders
 * may be skipped, the latest never is. A failed read or a watch the server cancels (compaction)
 * ends the stream normally, as etcd's closed channel does.
 *
 * <p>Runs on the stream's context; {@link #close} may be called from anywhere. Every step hops back
 * to that context, and each watch's callback checks it still belongs to the current watch: a
 * response from a watch this observer already replaced (queued before its close) must not start
 * a second follower, or the stream would show a waiting candidate and interleave two keys.
 */
public final class ElectionObserver {
    /** Where leader updates go. */
    public interface Sink {
        void send(LeaderResponse r);

        /** The observation stopped on its own (not through {@link #close}). */
        void end();
    }

    private final EtcdServer server;
    private final Context ctx;
    private final ByteString prefix;
    private final Sink sink;
    private KeyWatch watch;
    /** Bumped whenever a watch opens or stops; a callback from any other generation is stale. */
    private long generation;
    private volatile boolean closed;

    private final AuthInfo ai;

    public ElectionObserver(EtcdServer server, AuthInfo ai, Context ctx, ByteString name, Sink sink) {
        this.server = server;
        this.ai = ai;
        this.ctx = ctx;
        this.prefix = ContenderKeys.prefix(name);
        this.sink = sink;
    }

    public void start() {
        ctx.runOnContext(v -> findLeader());
    }

    public void close() {
        ctx.runOnContext(v -> {
            closed = true;
            stopWatch();
        });
    }

    private void findLeader() {
        if (closed) return;
        server.range(ai, ContenderKeys.firstCreated(prefix)).onComplete(ar -> ctx.runOnContext(v -> {
            if (closed) return;
            if (ar.failed()) {
                finish();
            } else if (ar.result().getKvsCount() > 0) {
                follow(ar.result().getHeader(), ar.result().getKvs(0));
            } else {
                awaitFirstCandidate(ar.result().getHeader().getRevision());
            }
        }));
    }

    /** No candidate yet: the first put under the prefix (from the read's revision on) is the leader. */
    private void awaitFirstCandidate(long fromRev) {
        watchFrom(prefix, ContenderKeys.prefixEnd(prefix), fromRev, r -> {
            if (r.getCanceled()) {
                finish();
                return;
            }
            for (Event e : r.getEventsList()) {
                if (e.getType() == Event.EventType.PUT) {
                    stopWatch();
                    // a response may carry several revisions: stamp the leader's own
                    follow(r.getHeader().toBuilder().setRevision(e.getKv().getModRevision()).build(), e.getKv());
                    return;
                }
            }
        });
    }

    /** Sends the leader, then its updates, until its key is deleted. */
    private void follow(ResponseHeader hdr, KeyValue leader) {
        sink.send(LeaderResponse.newBuilder().setHeader(hdr).setKv(leader).build());
        watchFrom(leader.getKey(), null, hdr.getRevision() + 1, this::onLeaderChange);
    }

    private void watchFrom(ByteString key, ByteString end, long fromRev, Consumer<WatchResponse> handler) {
        long mine = ++generation;
        watch = KeyWatch.open(server, ctx, key, end, fromRev, r -> {
            if (!closed && mine == generation) handler.accept(r);
        });
    }

    private void onLeaderChange(WatchResponse r) {
        if (r.getCanceled()) {
            finish();
            return;
        }
        for (Event e : r.getEventsList()) {
            if (e.getType() == Event.EventType.DELETE) {
                stopWatch();
                findLeader();
                return;
            }
            sink.send(LeaderResponse.newBuilder().setHeader(r.getHeader()).setKv(e.getKv()).build());
        }
    }

    private void finish() {
        closed = true;
        stopWatch();
        sink.end();
    }

    private void stopWatch() {
        generation++;
        if (watch != null) {
            watch.close();
            watch = null;
        }
    }
}
