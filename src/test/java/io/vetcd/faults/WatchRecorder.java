package io.vetcd.faults;

import com.google.protobuf.ByteString;
import io.vertx.core.Vertx;
import io.vetcd.pb.etcdserver.WatchCreateRequest;
import io.vetcd.pb.etcdserver.WatchGrpcClient;
import io.vetcd.pb.etcdserver.WatchRequest;
import io.vetcd.pb.etcdserver.WatchResponse;
import io.vetcd.pb.mvcc.Event;

import java.util.ArrayList;
import java.util.List;

/**
 * A watcher on one member from revision 1 over a prefix that survives the
 * member's crashes: on any stream error or end it reconnects (every 500 ms
 * while the member is down) and resumes from the revision after the last
 * event it got. It records every event, and as violations anything delivered
 * twice or out of revision order.
 */
final class WatchRecorder {
    record Ev(long rev, String key, String value, boolean delete) {}

    final String member;
    private final Vertx vertx;
    private final WatchGrpcClient client;
    private final ByteString key;
    private final ByteString rangeEnd;
    private final List<Ev> events = new ArrayList<>();
    private final List<String> violations = new ArrayList<>();
    private long next = 1;
    private int streams;
    private int generation;
    private volatile boolean stopped;

    WatchRecorder(String member, Vertx vertx, WatchGrpcClient client, String prefix) {
        this.member = member;
        this.vertx = vertx;
        this.client = client;
        this.key = ByteString.copyFromUtf8(prefix);
        byte[] end = prefix.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        end[end.length - 1]++;
        this.rangeEnd = ByteString.copyFrom(end);
    }

    void start() {
        vertx.runOnContext(v -> connect());
    }

    void stop() {
        stopped = true;
    }

    synchronized List<Ev> events() {
        return new ArrayList<>(events);
    }

    synchronized List<String> violations() {
        return new ArrayList<>(violations);
    }

    synchronized int streams() {
        return streams;
    }

    synchronized long nextRevision() {
        return next;
    }

    private void connect() {
        if (stopped) return;
        int gen;
        long from;
        synchronized (this) {
            gen = ++generation;
            streams++;
            from = next;
        }
        client.watch((ws, err) -> {
            if (err == null) {
                ws.write(WatchRequest.newBuilder().setCreateRequest(WatchCreateRequest.newBuilder()
                    .setKey(key).setRangeEnd(rangeEnd).setStartRevision(from)).build());
            }
        }).onSuccess(rs -> {
            rs.handler(resp -> onResponse(gen, resp));
            rs.exceptionHandler(e -> retry(gen));
            rs.endHandler(v -> retry(gen));
        }).onFailure(e -> retry(gen));
    }

    private void retry(int gen) {
        synchronized (this) {
            if (gen != generation) return; // that stream was already replaced
            generation++;
        }
        if (!stopped) vertx.setTimer(500, t -> connect());
    }

    private void onResponse(int gen, WatchResponse resp) {
        if (resp.getCanceled()) {
            synchronized (this) {
                violations.add(member + ": watch canceled: " + resp.getCancelReason() + " compact_revision "
                    + resp.getCompactRevision());
            }
            retry(gen);
            return;
        }
        synchronized (this) {
            if (gen != generation) return;
            for (Event e : resp.getEventsList()) {
                long rev = e.getKv().getModRevision();
                Ev ev = new Ev(rev, e.getKv().getKey().toStringUtf8(), e.getKv().getValue().toStringUtf8(),
                    e.getType() == Event.EventType.DELETE);
                if (rev < next) {
                    violations.add(member + ": event at revision " + rev + " delivered after revision " + (next - 1)
                        + " (duplicate or out of order): " + ev);
                } else {
                    events.add(ev);
                    next = rev + 1;
                }
            }
        }
    }
}
