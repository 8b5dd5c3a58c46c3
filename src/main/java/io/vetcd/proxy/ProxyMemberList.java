package io.vetcd.proxy;

import com.google.protobuf.ByteString;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vetcd.pb.etcdserver.Member;
import io.vetcd.pb.etcdserver.MemberListResponse;
import io.vetcd.pb.etcdserver.RangeRequest;
import io.vetcd.pb.etcdserver.RangeResponse;
import io.vetcd.pb.mvcc.KeyValue;

import java.net.InetAddress;

/**
 * The Cluster API's MemberList through the proxy answers with proxies, not members (etcd's clusterProxy): clients
 * that sync their endpoints from MemberList (etcdctl --discovery, clientv3 AutoSyncInterval) keep talking to
 * proxies. With --resolver-prefix, the registered proxies are read from the cluster on every call; with none
 * registered yet, or without a prefix, the answer is this proxy alone (host name, --advertise-client-url).
 */
final class ProxyMemberList {
  private final Upstream upstream;
  private final String advertise;
  private final String prefix;

  ProxyMemberList(Upstream upstream, String advertise, String prefix) {
    this.upstream = upstream;
    this.advertise = advertise;
    this.prefix = prefix;
  }

  /** False when MemberList is forwarded to the cluster (an empty --advertise-client-url). */
  boolean answersLocally() {
    return !advertise.isEmpty();
  }

  Future<MemberListResponse> answer() {
    MemberListResponse self = MemberListResponse.newBuilder()
        .addMembers(Member.newBuilder().setName(hostname()).addClientURLs(advertise)).build();
    if (prefix.isEmpty()) return Future.succeededFuture(self);
    String from = prefix + "/";
    RangeRequest range = RangeRequest.newBuilder().setKey(ByteString.copyFromUtf8(from))
        .setRangeEnd(ByteString.copyFrom(KeyRanges.prefixEnd(from.getBytes(java.nio.charset.StandardCharsets.UTF_8))))
        .setSerializable(true).build();
    return UpstreamUnary.call(upstream, "etcdserverpb.KV/Range", range, RangeResponse.parser(), 5000).map(resp -> {
      MemberListResponse.Builder b = MemberListResponse.newBuilder();
      for (KeyValue kv : resp.getKvsList()) {
        try {
          JsonObject update = new JsonObject(kv.getValue().toStringUtf8());
          Object meta = update.getValue("Metadata");
          String name = meta instanceof String m ? new JsonObject(m).getString("name", "") : "";
          b.addMembers(Member.newBuilder().setName(name).addClientURLs(update.getString("Addr", "")));
        } catch (RuntimeException malformed) {
          // etcd skips values it cannot decode; so does this
        }
      }
      return b.getMembersCount() > 0 ? b.build() : self;
    });
  }

  /** Go's os.Hostname (the kernel's name, no DNS), read once: MemberList answers on an event loop. */
  private static final String HOSTNAME = readHostname();

  static String hostname() {
    return HOSTNAME;
  }

  private static String readHostname() {
    try {
      return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/sys/kernel/hostname")).trim();
    } catch (java.io.IOException | RuntimeException e) {
      try {
        return InetAddress.getLocalHost().getHostName();
      } catch (java.net.UnknownHostException u) {
        return "";
      }
    }
  }
}
