package io.vetcd.proxy;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.WireFormat;
import io.vertx.core.buffer.Buffer;
import io.vetcd.pb.etcdserver.CompactionRequest;
import io.vetcd.pb.etcdserver.Compare;
import io.vetcd.pb.etcdserver.DeleteRangeRequest;
import io.vetcd.pb.etcdserver.PutRequest;
import io.vetcd.pb.etcdserver.RequestOp;
import io.vetcd.pb.etcdserver.ResponseHeader;
import io.vetcd.pb.etcdserver.TxnRequest;

import java.io.IOException;

/**
 * What one forwarded write does to the {@link RangeCache}: the keys it names are invalidated when its request passes
 * up and again, with the store revision the cluster answered, when its acknowledgement passes down (before the
 * client sees it). A Txn invalidates its compares and the writes of both branches, nested ones included, whichever
 * branch ran (etcd invalidates the compares too: the client may be acting on a value the cache showed it). Writes
 * whose keys the proxy cannot see (lease revoke, locks, elections, auth changes) clear the whole cache.
 */
final class CacheInvalidation implements GrpcForwarder.Observer {
  private final RangeCache cache;
  private final String method;
  private byte[] request;

  private CacheInvalidation(RangeCache cache, String method) {
    this.cache = cache;
    this.method = method;
  }

  /** The observer for a call to {@code method}, or null when the method does not change what a Range returns. */
  static CacheInvalidation of(RangeCache cache, String method) {
    return kind(method) == Kind.NONE ? null : new CacheInvalidation(cache, method);
  }

  private enum Kind { KEYS, COMPACT, EVERYTHING, NONE }

  private static Kind kind(String method) {
    switch (method) {
      case "etcdserverpb.KV/Put", "etcdserverpb.KV/DeleteRange", "etcdserverpb.KV/Txn":
        return Kind.KEYS;
      case "etcdserverpb.KV/Compact":
        return Kind.COMPACT;
      case "etcdserverpb.Lease/LeaseRevoke", "v3lockpb.Lock/Lock", "v3lockpb.Lock/Unlock",
          "v3electionpb.Election/Campaign", "v3electionpb.Election/Proclaim", "v3electionpb.Election/Resign":
        return Kind.EVERYTHING;
      default:
        if (method.startsWith("etcdserverpb.Auth/") && !method.equals("etcdserverpb.Auth/Authenticate")
            && !method.equals("etcdserverpb.Auth/AuthStatus")) {
          return Kind.EVERYTHING;
        }
        return Kind.NONE;
    }
  }

  @Override
  public void request(Buffer message) {
    request = message == null ? null : message.getBytes();
    apply(0);
  }

  @Override
  public void answer(Buffer message) {
    if (kind(method) == Kind.COMPACT) {
      if (request == null) {
        cache.clear(0);
        return;
      }
      try {
        cache.compact(CompactionRequest.parseFrom(request).getRevision());
      } catch (InvalidProtocolBufferException e) {
        cache.clear(0);
      }
      return;
    }
    apply(revision(message.getBytes()));
  }

  private void apply(long revision) {
    Kind k = kind(method);
    if (k == Kind.COMPACT) return; // compaction takes effect on its acknowledgement
    if (k == Kind.EVERYTHING || request == null) {
      cache.clear(revision);
      return;
    }
    try {
      switch (method) {
        case "etcdserverpb.KV/Put" -> cache.invalidate(PutRequest.parseFrom(request).getKey().toByteArray(), new byte[0], revision);
        case "etcdserverpb.KV/DeleteRange" -> {
          DeleteRangeRequest d = DeleteRangeRequest.parseFrom(request);
          cache.invalidate(d.getKey().toByteArray(), d.getRangeEnd().toByteArray(), revision);
        }
        default -> txn(TxnRequest.parseFrom(request), revision);
      }
    } catch (InvalidProtocolBufferException e) {
      cache.clear(revision); // the cluster will refuse it too; nothing is lost by starting over
    }
  }

  private void txn(TxnRequest t, long revision) {
    for (Compare c : t.getCompareList()) cache.invalidate(c.getKey().toByteArray(), c.getRangeEnd().toByteArray(), revision);
    for (RequestOp op : t.getSuccessList()) op(op, revision);
    for (RequestOp op : t.getFailureList()) op(op, revision);
  }

  private void op(RequestOp op, long revision) {
    switch (op.getRequestCase()) {
      case REQUEST_PUT -> cache.invalidate(op.getRequestPut().getKey().toByteArray(), new byte[0], revision);
      case REQUEST_DELETE_RANGE -> cache.invalidate(op.getRequestDeleteRange().getKey().toByteArray(),
          op.getRequestDeleteRange().getRangeEnd().toByteArray(), revision);
      case REQUEST_TXN -> txn(op.getRequestTxn(), revision);
      default -> { }
    }
  }

  /** The store revision in a response's header (field 1 of every etcd response), 0 if there is none. */
  static long revision(byte[] response) {
    try {
      CodedInputStream in = CodedInputStream.newInstance(response);
      while (true) {
        int tag = in.readTag();
        if (tag == 0) return 0;
        if (WireFormat.getTagFieldNumber(tag) == 1 && WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
          return ResponseHeader.parseFrom(in.readBytes()).getRevision();
        }
        in.skipField(tag);
      }
    } catch (IOException e) {
      return 0;
    }
  }
}
