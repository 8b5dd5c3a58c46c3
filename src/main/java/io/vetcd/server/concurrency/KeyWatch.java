package io.vetcd.server.concurrency;

import com.google.protobuf.ByteString;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vetcd.pb.etcdserver.WatchCreateRequest;
import io.vetcd.pb.etcdserver.WatchRequest;
import io.vetcd.pb.etcdserver.WatchResponse;
import io.vetcd.server.EtcdServer;
import io.vetcd.server.watch.WatchSink;
import io.vetcd.server.watch.WatchStream;

import java.util.function.Consumer;

/**
 * One in-process watch, as the concurrency recipes open through their (in-process) client in etcd:
 * a {@link WatchStream} with one watcher whose responses go to a callback on {@code ctx} instead
 * of a transport. The "created" response is swallowed; everything else, including a cancel
 * (compaction), reaches the callback. The sink never reports a full queue: these watches carry a
 * handful of events.
 */
final class KeyWatch {
    private final WatchStream stream;

    private KeyWatch(WatchStream stream) {
        this.stream = stream;
    }

    static KeyWatch open(EtcdServer server, Context ctx, ByteString key, ByteString rangeEnd, long startRev,
                         Consumer<WatchResponse> onResponse) {
        WatchSink sink = new WatchSink() {
            @Override
            public Future<Void> write(WatchResponse r) {
                if (!(r.getCreated() && !r.getCanceled())) onResponse.accept(r);
                return Future.succeededFuture();
            }

            @Override public boolean writeQueueFull() { return false; }
            @Override public void drainHandler(Runnable onDrain) { }
        };
        WatchStream stream = new WatchStream(server.watchHub(), ctx, sink, server::header);
        WatchCreateRequest.Builder c = WatchCreateRequest.newBuilder().setKey(key).setStartRevision(startRev);
        if (rangeEnd != null) c.setRangeEnd(rangeEnd);
        WatchRequest req = WatchRequest.newBuilder().setCreateRequest(c).build();
        // Always later, never inside open(): callers store the returned watch before its first response.
        ctx.runOnContext(v -> stream.handle(req));
        return new KeyWatch(stream);
    }

    void close() {
        stream.close();
    }
}
