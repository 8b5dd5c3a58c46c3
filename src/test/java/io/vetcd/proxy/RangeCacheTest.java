package io.vetcd.proxy;

import com.google.protobuf.ByteString;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The cache's rules in isolation, for the interleavings a live test cannot force: a read that went to the cluster
 * before a write was acknowledged and comes back after it must not be stored.
 */
class RangeCacheTest {
  private static byte[] k(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static final byte[] NONE = new byte[0];
  private static final byte[] ALL = {0};

  @Test
  void rangesOverlapByEtcdsConventions() {
    assertTrue(RangeCache.overlaps(k("a"), null, k("a"), null));
    assertFalse(RangeCache.overlaps(k("a"), null, k("b"), null));
    assertTrue(RangeCache.overlaps(k("a/"), k("a0"), k("a/x"), null));
    assertFalse(RangeCache.overlaps(k("a/"), k("a0"), k("a0"), null), "the end is exclusive");
    assertFalse(RangeCache.overlaps(k("ab"), ALL, k("a/"), k("a0")));
    assertTrue(RangeCache.overlaps(k("ab"), ALL, k("zzz"), null), "\\0 runs to the end of the key space");
    assertTrue(RangeCache.overlaps(ALL, ALL, k("x"), null));
  }

  @Test
  void anAnswerOlderThanAnAcknowledgedWriteIsNotStored() {
    RangeCache c = new RangeCache(10);
    ByteString req = ByteString.copyFromUtf8("req-k");
    long ticket = c.fillTicket();
    // the read went up, then a put of k was acknowledged at revision 7, then the read's answer (revision 6) came back
    c.invalidate(k("k"), NONE, 7);
    c.fill(ticket, req, k("k"), NONE, 0, 6, Buffer.buffer("old"));
    assertNull(c.get(req));
    c.fill(c.fillTicket(), req, k("k"), NONE, 0, 7, Buffer.buffer("new"));
    assertEquals("new", c.get(req).toString());
    // an acknowledged write to another key does not remove it, one to its key does
    c.invalidate(k("j"), NONE, 8);
    assertNotNull(c.get(req));
    c.invalidate(k("k"), NONE, 9);
    assertNull(c.get(req));
  }

  @Test
  void aClearDropsFillsThatBeganBeforeIt() {
    RangeCache c = new RangeCache(10);
    ByteString req = ByteString.copyFromUtf8("req-k");
    long ticket = c.fillTicket();
    c.clear(0);
    c.fill(ticket, req, k("k"), NONE, 0, 100, Buffer.buffer("v"));
    assertNull(c.get(req));
  }

  @Test
  void historicalAnswersSurviveWritesUntilCompactionPassesThem() {
    RangeCache c = new RangeCache(10);
    ByteString at5 = ByteString.copyFromUtf8("k@5");
    ByteString at9 = ByteString.copyFromUtf8("k@9");
    c.fill(c.fillTicket(), at5, k("k"), NONE, 5, 10, Buffer.buffer("v5"));
    c.fill(c.fillTicket(), at9, k("k"), NONE, 9, 10, Buffer.buffer("v9"));
    c.invalidate(k("k"), NONE, 11);
    assertNotNull(c.get(at5));
    c.compact(9);
    assertNull(c.get(at5));
    assertNotNull(c.get(at9), "the compacted revision itself is still readable");
    c.fill(c.fillTicket(), at5, k("k"), NONE, 5, 12, Buffer.buffer("v5"));
    assertNull(c.get(at5), "nor stored again");
  }

  @Test
  void theLeastRecentlyUsedGoesFirst() {
    RangeCache c = new RangeCache(2);
    ByteString a = ByteString.copyFromUtf8("a");
    ByteString b = ByteString.copyFromUtf8("b");
    ByteString d = ByteString.copyFromUtf8("d");
    c.fill(c.fillTicket(), a, k("a"), NONE, 0, 1, Buffer.buffer("a"));
    c.fill(c.fillTicket(), b, k("b"), NONE, 0, 1, Buffer.buffer("b"));
    c.get(a);
    c.fill(c.fillTicket(), d, k("d"), NONE, 0, 1, Buffer.buffer("d"));
    assertEquals(2, c.size());
    assertNotNull(c.get(a));
    assertNull(c.get(b));
  }
}
