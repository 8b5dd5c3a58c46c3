package io.vetcd.proxy;

import com.google.protobuf.ByteString;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vetcd.pb.etcdserver.LeaseGrantRequest;
import io.vetcd.pb.etcdserver.LeaseGrantResponse;
import io.vetcd.pb.etcdserver.LeaseKeepAliveRequest;
import io.vetcd.pb.etcdserver.LeaseKeepAliveResponse;
import io.vetcd.pb.etcdserver.PutRequest;
import io.vetcd.pb.etcdserver.PutResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * --resolver-prefix/--resolver-ttl: the proxy registers {@code PREFIX/ADDR} under a lease of --resolver-ttl
 * seconds and keeps the lease alive, so proxies sharing a prefix find each other (their MemberList answers with
 * all of them) and a dead proxy drops out when its lease expires. The value is what etcd's endpoints manager
 * writes, so vetcd and etcd proxies can share a prefix: {@code {"Op":0,"Addr":ADDR,"Metadata":"{\"name\":HOST}"}}.
 * When the lease is lost (cluster restarted, partition) it registers again, at most once a second.
 */
public final class ProxyRegistration {
  private static final Logger LOG = LoggerFactory.getLogger("grpcproxy");

  private final Vertx vertx;
  private final Upstream upstream;
  private final String key;
  private final String addr;
  private final int ttl;
  private volatile long leaseId;
  private volatile boolean stopped;

  private ProxyRegistration(Vertx vertx, Upstream upstream, String prefix, String addr, int ttl) {
    this.vertx = vertx;
    this.upstream = upstream;
    this.key = prefix + "/" + addr;
    this.addr = addr;
    this.ttl = ttl;
  }

  static ProxyRegistration start(Vertx vertx, Upstream upstream, String prefix, String addr, int ttl) {
    ProxyRegistration r = new ProxyRegistration(vertx, upstream, prefix, addr, ttl);
    vertx.runOnContext(v -> r.register());
    return r;
  }

  public String key() {
    return key;
  }

  /** The lease the registration is held by, 0 until registered. */
  public long leaseId() {
    return leaseId;
  }

  public void stop() {
    stopped = true;
  }

  static String value(String addr) {
    String meta = new JsonObject().put("name", ProxyMemberList.hostname()).encode();
    return new JsonObject().put("Op", 0).put("Addr", addr).put("Metadata", meta).encode();
  }

  private void register() {
    if (stopped) return;
    UpstreamUnary.call(upstream, "etcdserverpb.Lease/LeaseGrant", LeaseGrantRequest.newBuilder().setTTL(ttl).build(),
            LeaseGrantResponse.parser(), 5000)
        .compose(grant -> UpstreamUnary.call(upstream, "etcdserverpb.KV/Put", PutRequest.newBuilder()
                .setKey(ByteString.copyFromUtf8(key)).setValue(ByteString.copyFromUtf8(value(addr)))
                .setLease(grant.getID()).build(), PutResponse.parser(), 5000)
            .map(put -> grant.getID()))
        .onComplete(ar -> {
          if (ar.failed()) {
            LOG.atWarn().addKeyValue("error", String.valueOf(ar.cause().getMessage())).log("failed to create a session");
            vertx.setTimer(1000, t -> register());
            return;
          }
          leaseId = ar.result();
          LOG.atInfo().addKeyValue("address", addr).addKeyValue("ttl", ttl).log("registered grpc-proxy endpoint");
          keepAlive(ar.result());
        });
  }

  /** One keep-alive every third of the TTL (clientv3's session cadence); a lost lease means registering again. */
  private void keepAlive(long id) {
    vertx.setTimer(Math.max(500, ttl * 1000L / 3), t -> {
      if (stopped) return;
      UpstreamUnary.call(upstream, "etcdserverpb.Lease/LeaseKeepAlive", LeaseKeepAliveRequest.newBuilder().setID(id).build(),
          LeaseKeepAliveResponse.parser(), 5000).onComplete(ar -> {
            if (ar.succeeded() && ar.result().getTTL() > 0) {
              keepAlive(id);
            } else {
              LOG.warn("session expired; possible network partition or server restart; creating a new session to rejoin");
              leaseId = 0;
              register();
            }
          });
    });
  }
}
