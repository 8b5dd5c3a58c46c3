package io.vetcd.proxy;

import com.google.protobuf.ByteString;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Watch coalescing for the whole proxy: client watchers of one key range (and one auth token, so users never share
 * what the cluster checked for someone else) are grouped; each group holds as few {@link WatchBroadcast}s as
 * start revisions force, and broadcasts that have caught up with each other merge, so a steady state has one
 * watcher on the cluster per distinct range however many clients watch it. All of it runs on one Vert.x context
 * (one event loop); client streams on other event loops reach it with {@link #run}.
 */
public final class WatchHub {
  /** What clients must share to share a cluster watcher. */
  record GroupKey(ByteString key, ByteString rangeEnd, String token) {
  }

  static final class Group {
    final GroupKey key;
    final List<WatchBroadcast> broadcasts = new ArrayList<>();

    Group(GroupKey key) {
      this.key = key;
    }
  }

  final Vertx vertx;
  final Context context;
  final Upstream upstream;
  final ProxyMetrics metrics;
  private final Map<GroupKey, Group> groups = new HashMap<>();

  WatchHub(Vertx vertx, Context context, Upstream upstream, ProxyMetrics metrics) {
    this.vertx = vertx;
    this.context = context;
    this.upstream = upstream;
    this.metrics = metrics;
  }

  /** Runs {@code task} on the hub's context, after everything queued there before it. */
  void run(Runnable task) {
    context.runOnContext(v -> task.run());
  }

  void add(ProxiedWatcher w) {
    Group g = groups.computeIfAbsent(new GroupKey(w.key, w.rangeEnd, w.token), Group::new);
    for (WatchBroadcast b : g.broadcasts) {
      if (b.accepts(w)) {
        b.add(w);
        return;
      }
    }
    WatchBroadcast b = new WatchBroadcast(this, g, w.startRevision);
    g.broadcasts.add(b);
    metrics.upstreamWatchers.inc();
    b.add(w);
    b.open();
  }

  /** The client canceled {@code w} or went away. */
  void remove(ProxiedWatcher w) {
    if (w.broadcast != null) w.broadcast.remove(w);
  }

  /** {@code w} was ended by the cluster; its broadcast already let go of it. */
  void forget(ProxiedWatcher w) {
    w.stream.forget(w);
  }

  /** A broadcast closed: no receivers left, or canceled by the cluster. */
  void dropped(WatchBroadcast b) {
    Group g = b.group;
    if (g.broadcasts.remove(b)) metrics.upstreamWatchers.dec();
    if (g.broadcasts.isEmpty()) groups.remove(g.key);
  }

  /** After {@code b} advanced: a broadcast of the same group at the same next revision hands it its receivers. */
  void coalesce(WatchBroadcast b) {
    for (WatchBroadcast o : new ArrayList<>(b.group.broadcasts)) {
      if (o == b || o.closed || !o.announced || o.nextRev != b.nextRev) continue;
      for (ProxiedWatcher w : o.receivers) {
        b.receivers.add(w);
        w.broadcast = b;
        metrics.watchersCoalescing.inc();
      }
      o.receivers.clear();
      o.close();
    }
  }

  /** Watchers the proxy holds open on the cluster, for tests and the metrics gauge. */
  int upstreamWatchers() {
    int n = 0;
    for (Group g : groups.values()) n += g.broadcasts.size();
    return n;
  }
}
