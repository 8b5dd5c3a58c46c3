package io.vetcd.proxy;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.vetcd.pb.election.CampaignRequest;
import io.vetcd.pb.election.CampaignResponse;
import io.vetcd.pb.election.LeaderKey;
import io.vetcd.pb.election.LeaderRequest;
import io.vetcd.pb.election.LeaderResponse;
import io.vetcd.pb.election.ProclaimRequest;
import io.vetcd.pb.election.ResignRequest;
import io.vetcd.pb.etcdserver.Compare;
import io.vetcd.pb.etcdserver.DeleteRangeRequest;
import io.vetcd.pb.etcdserver.DeleteRangeResponse;
import io.vetcd.pb.etcdserver.LeaseTimeToLiveResponse;
import io.vetcd.pb.etcdserver.PutRequest;
import io.vetcd.pb.etcdserver.PutResponse;
import io.vetcd.pb.etcdserver.RangeRequest;
import io.vetcd.pb.etcdserver.RangeResponse;
import io.vetcd.pb.etcdserver.RequestOp;
import io.vetcd.pb.etcdserver.ResponseOp;
import io.vetcd.pb.etcdserver.TxnRequest;
import io.vetcd.pb.etcdserver.TxnResponse;
import io.vetcd.pb.lock.LockRequest;
import io.vetcd.pb.lock.LockResponse;
import io.vetcd.pb.lock.UnlockRequest;
import io.vetcd.pb.mvcc.Event;
import io.vetcd.pb.mvcc.KeyValue;

/**
 * --namespace: every key a client names is read as PREFIX+key and every key coming back loses PREFIX, for KV, Txn
 * (compares and nested operations), Watch, Lease TimeToLive, Lock and Election (whose names are keys too; etcd
 * 3.4's proxy leaves those two unprefixed, which would let a client create keys outside its namespace). A range
 * always maps inside [PREFIX, end of PREFIX): "from key" ends at the prefix's end, so no request can reach a key
 * outside the namespace. Keys outside it (a lease's other keys) are left out of answers.
 */
final class KeyNamespace {
  /** A request etcd's namespace client refuses before sending (an empty key). */
  static final class Refused extends RuntimeException {
    Refused(String message) {
      super(message, null, false, false);
    }
  }

  private final ByteString prefix;
  private final ByteString prefixEnd;

  KeyNamespace(String prefix) {
    this.prefix = ByteString.copyFromUtf8(prefix);
    byte[] end = KeyRanges.prefixEnd(this.prefix.toByteArray());
    if (end.length == 1 && end[0] == 0) {
      throw new IllegalArgumentException("a namespace of only 0xff bytes has no end inside the keyspace");
    }
    this.prefixEnd = ByteString.copyFrom(end);
  }

  ByteString key(ByteString k) {
    return prefix.concat(k);
  }

  /** etcd's prefixInterval: "\0" (to the end of the keyspace) becomes the end of the namespace. */
  ByteString rangeEnd(ByteString end) {
    if (end.isEmpty()) return end;
    if (end.size() == 1 && end.byteAt(0) == 0) return prefixEnd;
    return prefix.concat(end);
  }

  /** The client's view of a key from the cluster. */
  ByteString strip(ByteString k) {
    return k.startsWith(prefix) ? k.substring(prefix.size()) : k;
  }

  boolean inside(ByteString k) {
    return k.startsWith(prefix);
  }

  KeyValue strip(KeyValue kv) {
    return kv.getKey().isEmpty() ? kv : kv.toBuilder().setKey(strip(kv.getKey())).build();
  }

  Event strip(Event e) {
    Event.Builder b = e.toBuilder().setKv(strip(e.getKv()));
    if (e.hasPrevKv()) b.setPrevKv(strip(e.getPrevKv()));
    return b.build();
  }

  private static ByteString nonEmpty(ByteString key) {
    if (key.isEmpty()) throw new Refused("etcdserver: key is not provided");
    return key;
  }

  RangeRequest request(RangeRequest r) {
    return r.toBuilder().setKey(key(nonEmpty(r.getKey()))).setRangeEnd(rangeEnd(r.getRangeEnd())).build();
  }

  PutRequest request(PutRequest r) {
    return r.toBuilder().setKey(key(nonEmpty(r.getKey()))).build();
  }

  DeleteRangeRequest request(DeleteRangeRequest r) {
    return r.toBuilder().setKey(key(nonEmpty(r.getKey()))).setRangeEnd(rangeEnd(r.getRangeEnd())).build();
  }

  TxnRequest request(TxnRequest r) {
    TxnRequest.Builder b = TxnRequest.newBuilder();
    for (Compare c : r.getCompareList()) {
      b.addCompare(c.toBuilder().setKey(key(c.getKey())).setRangeEnd(rangeEnd(c.getRangeEnd())));
    }
    for (RequestOp op : r.getSuccessList()) b.addSuccess(request(op));
    for (RequestOp op : r.getFailureList()) b.addFailure(request(op));
    return b.build();
  }

  private RequestOp request(RequestOp op) {
    return switch (op.getRequestCase()) {
      case REQUEST_RANGE -> RequestOp.newBuilder().setRequestRange(request(op.getRequestRange())).build();
      case REQUEST_PUT -> RequestOp.newBuilder().setRequestPut(request(op.getRequestPut())).build();
      case REQUEST_DELETE_RANGE -> RequestOp.newBuilder().setRequestDeleteRange(request(op.getRequestDeleteRange())).build();
      case REQUEST_TXN -> RequestOp.newBuilder().setRequestTxn(request(op.getRequestTxn())).build();
      default -> op;
    };
  }

  RangeResponse response(RangeResponse r) {
    RangeResponse.Builder b = r.toBuilder().clearKvs();
    for (KeyValue kv : r.getKvsList()) b.addKvs(strip(kv));
    return b.build();
  }

  PutResponse response(PutResponse r) {
    return r.hasPrevKv() ? r.toBuilder().setPrevKv(strip(r.getPrevKv())).build() : r;
  }

  DeleteRangeResponse response(DeleteRangeResponse r) {
    DeleteRangeResponse.Builder b = r.toBuilder().clearPrevKvs();
    for (KeyValue kv : r.getPrevKvsList()) b.addPrevKvs(strip(kv));
    return b.build();
  }

  TxnResponse response(TxnResponse r) {
    TxnResponse.Builder b = r.toBuilder().clearResponses();
    for (ResponseOp op : r.getResponsesList()) {
      b.addResponses(switch (op.getResponseCase()) {
        case RESPONSE_RANGE -> ResponseOp.newBuilder().setResponseRange(response(op.getResponseRange())).build();
        case RESPONSE_PUT -> ResponseOp.newBuilder().setResponsePut(response(op.getResponsePut())).build();
        case RESPONSE_DELETE_RANGE -> ResponseOp.newBuilder().setResponseDeleteRange(response(op.getResponseDeleteRange())).build();
        case RESPONSE_TXN -> ResponseOp.newBuilder().setResponseTxn(response(op.getResponseTxn())).build();
        default -> op;
      });
    }
    return b.build();
  }

  LeaseTimeToLiveResponse response(LeaseTimeToLiveResponse r) {
    LeaseTimeToLiveResponse.Builder b = r.toBuilder().clearKeys();
    for (ByteString k : r.getKeysList()) if (inside(k)) b.addKeys(strip(k));
    return b.build();
  }

  private LeaderKey request(LeaderKey l) {
    return l.toBuilder().setName(key(l.getName())).setKey(key(l.getKey())).build();
  }

  private LeaderKey response(LeaderKey l) {
    return l.toBuilder().setName(strip(l.getName())).setKey(strip(l.getKey())).build();
  }

  /** The request rewrite for {@code method}, or null when the method carries no keys. */
  Rewrite requestRewrite(String method) {
    return switch (method) {
      case "etcdserverpb.KV/Range" -> b -> request(RangeRequest.parseFrom(b)).toByteArray();
      case "etcdserverpb.KV/Put" -> b -> request(PutRequest.parseFrom(b)).toByteArray();
      case "etcdserverpb.KV/DeleteRange" -> b -> request(DeleteRangeRequest.parseFrom(b)).toByteArray();
      case "etcdserverpb.KV/Txn" -> b -> request(TxnRequest.parseFrom(b)).toByteArray();
      case "v3lockpb.Lock/Lock" -> b -> {
        LockRequest r = LockRequest.parseFrom(b);
        return r.toBuilder().setName(key(nonEmpty(r.getName()))).build().toByteArray();
      };
      case "v3lockpb.Lock/Unlock" -> b -> {
        UnlockRequest r = UnlockRequest.parseFrom(b);
        return r.toBuilder().setKey(key(r.getKey())).build().toByteArray();
      };
      case "v3electionpb.Election/Campaign" -> b -> {
        CampaignRequest r = CampaignRequest.parseFrom(b);
        return r.toBuilder().setName(key(nonEmpty(r.getName()))).build().toByteArray();
      };
      case "v3electionpb.Election/Leader", "v3electionpb.Election/Observe" -> b -> {
        LeaderRequest r = LeaderRequest.parseFrom(b);
        return r.toBuilder().setName(key(nonEmpty(r.getName()))).build().toByteArray();
      };
      case "v3electionpb.Election/Proclaim" -> b -> {
        ProclaimRequest r = ProclaimRequest.parseFrom(b);
        return r.toBuilder().setLeader(request(r.getLeader())).build().toByteArray();
      };
      case "v3electionpb.Election/Resign" -> b -> {
        ResignRequest r = ResignRequest.parseFrom(b);
        return r.toBuilder().setLeader(request(r.getLeader())).build().toByteArray();
      };
      default -> null;
    };
  }

  /** The response rewrite for {@code method}, or null. */
  Rewrite responseRewrite(String method) {
    return switch (method) {
      case "etcdserverpb.KV/Range" -> b -> response(RangeResponse.parseFrom(b)).toByteArray();
      case "etcdserverpb.KV/Put" -> b -> response(PutResponse.parseFrom(b)).toByteArray();
      case "etcdserverpb.KV/DeleteRange" -> b -> response(DeleteRangeResponse.parseFrom(b)).toByteArray();
      case "etcdserverpb.KV/Txn" -> b -> response(TxnResponse.parseFrom(b)).toByteArray();
      case "etcdserverpb.Lease/LeaseTimeToLive" -> b -> response(LeaseTimeToLiveResponse.parseFrom(b)).toByteArray();
      case "v3lockpb.Lock/Lock" -> b -> {
        LockResponse r = LockResponse.parseFrom(b);
        return r.toBuilder().setKey(strip(r.getKey())).build().toByteArray();
      };
      case "v3electionpb.Election/Campaign" -> b -> {
        CampaignResponse r = CampaignResponse.parseFrom(b);
        return r.hasLeader() ? r.toBuilder().setLeader(response(r.getLeader())).build().toByteArray() : b;
      };
      case "v3electionpb.Election/Leader", "v3electionpb.Election/Observe" -> b -> {
        LeaderResponse r = LeaderResponse.parseFrom(b);
        return r.hasKv() ? r.toBuilder().setKv(strip(r.getKv())).build().toByteArray() : b;
      };
      default -> null;
    };
  }

  /** One message's bytes rewritten. */
  @FunctionalInterface
  interface Rewrite {
    byte[] apply(byte[] message) throws InvalidProtocolBufferException;
  }
}
