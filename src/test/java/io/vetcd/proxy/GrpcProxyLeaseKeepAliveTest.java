package io.vetcd.proxy;

import io.etcd.jetcd.Client;
import io.etcd.jetcd.lease.LeaseKeepAliveResponse;
import io.vetcd.testing.InJvmMember;
import io.vetcd.testing.Ports;
import io.vetcd.testing.TempDirs;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Lease keep-alives through the proxy: every request is answered, with a live TTL, and bursts for one lease coalesce. */
class GrpcProxyLeaseKeepAliveTest {

  static double metric(String text, String name) {
    return text.lines().filter(l -> l.startsWith(name + " "))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.indexOf(' ') + 1))).findFirst().orElse(-1);
  }

  @Test
  void aBurstOfKeepAlivesForOneLeaseIsAnsweredInFullAndSharesClusterKeepAlives() throws Exception {
    Path dir = TempDirs.create("vetcd-proxy-lease");
    try (InJvmMember member = InJvmMember.start(dir, Ports.free(), Ports.free())) {
      String ep = "127.0.0.1:" + Ports.free();
      GrpcProxyCommand.Running proxy = GrpcProxyCommand.start(List.of("start", "--endpoints", member.endpoint(),
          "--listen-addr", ep));
      try (Client client = Client.builder().endpoints("http://" + ep).build()) {
        long id = client.getLeaseClient().grant(30).get(10, TimeUnit.SECONDS).getID();
        int n = 200;
        for (int round = 0; round < 3; round++) {
          List<CompletableFuture<LeaseKeepAliveResponse>> all = new ArrayList<>();
          for (int i = 0; i < n; i++) all.add(client.getLeaseClient().keepAliveOnce(id));
          for (CompletableFuture<LeaseKeepAliveResponse> f : all) {
            LeaseKeepAliveResponse r = f.get(20, TimeUnit.SECONDS);
            assertEquals(id, r.getID());
            assertTrue(r.getTTL() > 25, "a fresh TTL, not a stale answer: " + r.getTTL());
          }
        }
        // a lease the cluster does not have: the answer says so (TTL 0 -> jetcd reports not found)
        long gone = client.getLeaseClient().grant(30).get(10, TimeUnit.SECONDS).getID();
        client.getLeaseClient().revoke(gone).get(10, TimeUnit.SECONDS);
        CompletableFuture<LeaseKeepAliveResponse> f = client.getLeaseClient().keepAliveOnce(gone);
        Exception e = org.junit.jupiter.api.Assertions.assertThrows(Exception.class, () -> f.get(20, TimeUnit.SECONDS));
        assertTrue(String.valueOf(e.getMessage()).toLowerCase().contains("not found"), String.valueOf(e));

        String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://" + ep + "/proxy/metrics")).build(),
            HttpResponse.BodyHandlers.ofString()).body();
        double received = metric(metrics, "vetcd_grpc_proxy_keepalives_received_total");
        double sent = metric(metrics, "vetcd_grpc_proxy_keepalives_sent_total");
        System.out.println("keep-alives from clients: " + received + ", sent to the member: " + sent);
        assertTrue(received >= 3 * n, metrics);
        assertTrue(sent < received, "concurrent keep-alives of one lease share cluster keep-alives: " + metrics);
      } finally {
        proxy.vertx().close().await();
      }
    } finally {
      TempDirs.delete(dir);
    }
  }
}
