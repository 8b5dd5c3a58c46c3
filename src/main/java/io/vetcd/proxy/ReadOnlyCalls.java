package io.vetcd.proxy;

import com.google.protobuf.InvalidProtocolBufferException;
import io.vertx.core.buffer.Buffer;
import io.vetcd.pb.etcdserver.AlarmRequest;
import io.vetcd.pb.etcdserver.RequestOp;
import io.vetcd.pb.etcdserver.TxnRequest;

import java.util.List;
import java.util.Set;

/**
 * Which calls a {@code proxy: readonly} node serves. etcd's v2 read-only proxy passes GETs and refuses every other
 * HTTP method; on the v3 API the reads are the calls below (an allow-list, so a method this proxy does not know
 * is refused rather than let through), plus a Txn whose operations (nested ones too) are all ranges and an Alarm
 * that only lists alarms. Everything else (Put, DeleteRange, Compact, leases, member and auth changes,
 * defragment, elections and locks) is refused with FAILED_PRECONDITION.
 */
final class ReadOnlyCalls {
  static final String REFUSAL = "etcdserver: proxy is read-only: write requests are refused (proxy: readonly)";

  private static final Set<String> READS = Set.of(
      "etcdserverpb.KV/Range",
      "etcdserverpb.Watch/Watch",
      "etcdserverpb.Lease/LeaseTimeToLive",
      "etcdserverpb.Lease/LeaseLeases",
      "etcdserverpb.Cluster/MemberList",
      "etcdserverpb.Maintenance/Status",
      "etcdserverpb.Maintenance/Hash",
      "etcdserverpb.Maintenance/HashKV",
      "etcdserverpb.Maintenance/Snapshot",
      "etcdserverpb.Auth/AuthStatus",
      "etcdserverpb.Auth/Authenticate",
      "etcdserverpb.Auth/UserGet",
      "etcdserverpb.Auth/UserList",
      "etcdserverpb.Auth/RoleGet",
      "etcdserverpb.Auth/RoleList",
      "v3electionpb.Election/Leader",
      "v3electionpb.Election/Observe",
      "grpc.health.v1.Health/Check",
      "grpc.health.v1.Health/Watch");

  /** Methods whose request message decides (read or write). */
  static final Set<String> DEPENDS_ON_REQUEST = Set.of("etcdserverpb.KV/Txn", "etcdserverpb.Maintenance/Alarm");

  private ReadOnlyCalls() {
  }

  /** Refused whatever the request says. */
  static boolean refusesMethod(String method) {
    return !READS.contains(method) && !DEPENDS_ON_REQUEST.contains(method);
  }

  /** For {@link #DEPENDS_ON_REQUEST} methods: whether this request message writes. */
  static boolean refusesRequest(String method, Buffer payload) {
    try {
      if (method.equals("etcdserverpb.KV/Txn")) return writes(TxnRequest.parseFrom(payload.getBytes()));
      if (method.equals("etcdserverpb.Maintenance/Alarm")) {
        return AlarmRequest.parseFrom(payload.getBytes()).getAction() != AlarmRequest.AlarmAction.GET;
      }
    } catch (InvalidProtocolBufferException e) {
      return true; // not a request the proxy can vouch for
    }
    return refusesMethod(method);
  }

  private static boolean writes(TxnRequest txn) {
    return writes(txn.getSuccessList()) || writes(txn.getFailureList());
  }

  private static boolean writes(List<RequestOp> ops) {
    for (RequestOp op : ops) {
      switch (op.getRequestCase()) {
        case REQUEST_RANGE -> { }
        case REQUEST_TXN -> {
          if (writes(op.getRequestTxn())) return true;
        }
        default -> {
          return true;
        }
      }
    }
    return false;
  }
}
