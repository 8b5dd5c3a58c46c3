package io.vetcd.proxy;

import com.google.protobuf.ByteString;
import io.vetcd.pb.etcdserver.ResponseHeader;
import io.vetcd.pb.etcdserver.WatchCreateRequest;
import io.vetcd.pb.etcdserver.WatchResponse;
import io.vetcd.pb.mvcc.Event;

import java.util.ArrayList;
import java.util.List;

/**
 * One client's watcher behind the proxy. Its own options (start revision, filters, prev_kv, progress notify) are
 * applied here to the events its shared {@link WatchBroadcast} receives. Every field but {@link #stream} and
 * {@link #id} is touched only on the watch hub's context.
 */
final class ProxiedWatcher {
  final WatchStreamProxy stream;
  final long id;
  final ByteString key;
  final ByteString rangeEnd;
  final String token;
  final long startRevision;
  private final boolean progress;
  private final boolean prevKv;
  private final boolean noPut;
  private final boolean noDelete;
  private final KeyNamespace namespace;

  /** The first revision this watcher still needs; 0 until known ("from now"). */
  long nextRev;
  /** Whether the client got its created response. */
  boolean announced;
  WatchBroadcast broadcast;
  ResponseHeader lastHeader = ResponseHeader.getDefaultInstance();

  ProxiedWatcher(WatchStreamProxy stream, long id, WatchCreateRequest cr, String token, KeyNamespace namespace) {
    this.stream = stream;
    this.namespace = namespace;
    this.id = id;
    this.key = cr.getKey();
    this.rangeEnd = cr.getRangeEnd();
    this.token = token;
    this.startRevision = cr.getStartRevision();
    this.nextRev = cr.getStartRevision();
    this.progress = cr.getProgressNotify();
    this.prevKv = cr.getPrevKv();
    boolean np = false;
    boolean nd = false;
    for (WatchCreateRequest.FilterType f : cr.getFiltersList()) {
      if (f == WatchCreateRequest.FilterType.NOPUT) np = true;
      if (f == WatchCreateRequest.FilterType.NODELETE) nd = true;
    }
    this.noPut = np;
    this.noDelete = nd;
  }

  /** The created response, once (the real one from the cluster, or the proxy's for a watcher that joined later). */
  void announce(ResponseHeader header) {
    if (announced) return;
    announced = true;
    if (nextRev == 0) nextRev = header.getRevision() + 1;
    lastHeader = header;
    stream.post(WatchResponse.newBuilder().setHeader(header).setWatchId(id).setCreated(true).build());
  }

  /**
   * The events of one cluster response this watcher has not had yet: none below its next revision (a watcher that
   * joined a broadcast ahead of it, or after a resume, never sees an event twice), filtered, prev_kv only if asked.
   */
  void deliver(ResponseHeader header, List<Event> events) {
    List<Event> out = new ArrayList<>(events.size());
    long last = 0;
    for (Event ev : events) {
      long rev = ev.getKv().getModRevision();
      if (rev < nextRev) continue;
      last = rev; // not nextRev yet: a txn's events share one revision
      if (noPut && ev.getType() == Event.EventType.PUT) continue;
      if (noDelete && ev.getType() == Event.EventType.DELETE) continue;
      Event e = prevKv || !ev.hasPrevKv() ? ev : ev.toBuilder().clearPrevKv().build();
      out.add(namespace == null ? e : namespace.strip(e));
    }
    if (last >= nextRev) nextRev = last + 1;
    if (out.isEmpty()) return;
    lastHeader = header;
    stream.post(WatchResponse.newBuilder().setHeader(header).setWatchId(id).addAllEvents(out).build());
  }

  void progress(ResponseHeader header) {
    if (!progress) return;
    lastHeader = header;
    stream.post(WatchResponse.newBuilder().setHeader(header).setWatchId(id).build());
  }

  /** The cluster ended the watch (compacted start revision, permission, ...): the client learns why. */
  void canceledByCluster(WatchResponse r) {
    WatchResponse.Builder b = WatchResponse.newBuilder().setHeader(r.getHeader()).setWatchId(id).setCanceled(true)
        .setCompactRevision(r.getCompactRevision()).setCancelReason(r.getCancelReason());
    if (!announced) b.setCreated(true);
    announced = true;
    stream.post(b.build());
  }
}
