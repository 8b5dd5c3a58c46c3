package io.vetcd.proxy;

import com.google.protobuf.ByteString;
import io.vertx.core.buffer.Buffer;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The grpc-proxy's serializable-read cache (etcd's grpcproxy/cache): Range answers, least recently used first out,
 * keyed by the whole RangeRequest (serializable set, so a linearizable read refreshes what a serializable one reads).
 *
 * <p>Read-your-writes through this proxy is the rule: a write the proxy acknowledged at revision R removes every
 * entry whose range it touches before the client sees the acknowledgement, and raises {@link #ackedRevision}; an
 * answer for the current state (revision 0) that the cluster produced below that revision is never stored, so a
 * read that raced a write (or a lagging follower's answer) cannot put older data back. Requests at a fixed revision
 * are history and stay until compaction passes them. Writes the proxy never saw (other clients of the cluster, lease
 * expiry) are not known here — as in etcd, a serializable read may be stale by those.
 *
 * <p>Shared by every event loop, so every method is synchronized; an invalidation scans at most
 * {@link #maxEntries} entries.
 */
final class RangeCache {
  static final int DEFAULT_MAX_ENTRIES = 2048;

  /** One answer: the client-visible key range it covers ({@code end} null = the single key; empty = to the end). */
  private record Entry(byte[] key, byte[] end, long requestRevision, Buffer answer) {
  }

  private final int maxEntries;
  private final LinkedHashMap<ByteString, Entry> entries;
  private long ackedRevision;
  /** Bumped by {@link #clear()}: a fill that began before it is dropped (its keys are unknown to the clear). */
  private long clears;
  private long compactedRevision;

  RangeCache(int maxEntries) {
    this.maxEntries = maxEntries;
    this.entries = new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<ByteString, Entry> eldest) {
        return size() > RangeCache.this.maxEntries;
      }
    };
  }

  synchronized Buffer get(ByteString request) {
    Entry e = entries.get(request);
    return e == null ? null : e.answer();
  }

  /** A token to pass to {@link #fill}, taken before the read goes to the cluster. */
  synchronized long fillTicket() {
    return clears;
  }

  /**
   * Stores an answer the cluster gave at store revision {@code answerRevision}, unless a write acknowledged since
   * (or a clear) may have made it older than what this proxy has told a client.
   */
  synchronized void fill(long ticket, ByteString request, byte[] key, byte[] rangeEnd, long requestRevision,
                         long answerRevision, Buffer answer) {
    if (ticket != clears) return;
    if (requestRevision == 0 && answerRevision < ackedRevision) return;
    if (requestRevision != 0 && requestRevision < compactedRevision) return;
    entries.put(request, new Entry(key, rangeEnd.length == 0 ? null : rangeEnd, requestRevision, answer));
  }

  /**
   * A write to [key, rangeEnd) (etcd's range conventions) was sent or acknowledged: entries for the current state
   * that overlap it go. {@code revision} is the acknowledged store revision, 0 when not yet known.
   */
  synchronized void invalidate(byte[] key, byte[] rangeEnd, long revision) {
    ackedRevision = Math.max(ackedRevision, revision);
    byte[] end = rangeEnd.length == 0 ? null : rangeEnd;
    for (Iterator<Entry> it = entries.values().iterator(); it.hasNext(); ) {
      Entry e = it.next();
      if (e.requestRevision() == 0 && overlaps(e.key(), e.end(), key, end)) it.remove();
    }
  }

  /** A write whose keys the proxy cannot know (lease revoke deletes its keys; auth changes who may read). */
  synchronized void clear(long revision) {
    ackedRevision = Math.max(ackedRevision, revision);
    clears++;
    entries.clear();
  }

  /** Compaction at {@code revision}: answers for revisions below it can no longer be given by the cluster. */
  synchronized void compact(long revision) {
    compactedRevision = Math.max(compactedRevision, revision);
    entries.values().removeIf(e -> e.requestRevision() != 0 && e.requestRevision() < revision);
  }

  synchronized int size() {
    return entries.size();
  }

  /** [a, aEnd) and [b, bEnd) intersect; a null end is the single key, "\0" the end of the key space. */
  static boolean overlaps(byte[] a, byte[] aEnd, byte[] b, byte[] bEnd) {
    return before(a, b, bEnd) && before(b, a, aEnd);
  }

  /** {@code x} lies below the end of the range starting at {@code start}. */
  private static boolean before(byte[] x, byte[] start, byte[] end) {
    if (end == null) return java.util.Arrays.compareUnsigned(x, start) <= 0;
    if (end.length == 1 && end[0] == 0) return true;
    return java.util.Arrays.compareUnsigned(x, end) < 0;
  }
}
