package io.vetcd.proxy;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import io.etcd.jetcd.watch.WatchResponse;
import io.vetcd.testing.Cli;
import io.vetcd.testing.Eventually;
import io.vetcd.testing.InJvmMember;
import io.vetcd.testing.Ports;
import io.vetcd.testing.TempDirs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code etcd grpc-proxy start} in front of a real member: etcdctl's KV, Txn, Lease, Cluster and Maintenance calls
 * and jetcd's Watch go through it. The proxy's first endpoint is dead, so every call also exercises failover.
 */
class GrpcProxyTest {
  static InJvmMember member;
  static Path dir;
  static GrpcProxyCommand.Running proxy;
  static String proxyEp;

  @BeforeAll
  static void start() throws Exception {
    dir = TempDirs.create("vetcd-grpcproxy");
    member = InJvmMember.start(dir, Ports.free(), Ports.free());
    int port = Ports.free();
    proxyEp = "127.0.0.1:" + port;
    proxy = GrpcProxyCommand.start(List.of("start", "--endpoints", "127.0.0.1:" + Ports.free() + "," + member.endpoint(),
        "--listen-addr", proxyEp, "--advertise-client-url", proxyEp));
  }

  @AfterAll
  static void stop() {
    proxy.vertx().close().await();
    member.close();
    TempDirs.delete(dir);
  }

  static Cli.Result ctl(String... args) {
    Cli.Result r = Cli.etcdctl(proxyEp, args);
    assertEquals(0, r.exitCode(), String.join(" ", args) + ": " + r.output());
    return r;
  }

  @Test
  void kvAndTxnGoThroughToTheMember() {
    assertEquals("OK", ctl("put", "p/a", "1").output().trim());
    assertEquals("p/a\n1", Cli.etcdctl(member.endpoint(), "get", "p/a").output().trim());
    Cli.Result txn = Cli.etcdctlWithInput(proxyEp, "value(\"p/a\") = \"1\"\n\nput p/b 2\n\nput p/c 3\n\n", "txn");
    assertEquals("SUCCESS\n\nOK", txn.output().trim(), txn.output());
    assertEquals(List.of("p/a", "p/b"), ctl("get", "p/a", "p/c", "--keys-only").output().lines().filter(l -> !l.isBlank()).toList());
    assertEquals("1", ctl("del", "p/a").output().trim());
  }

  @Test
  void errorsComeBackWithTheMembersStatus() {
    // a lease the member does not know: etcd's own error text must arrive through the proxy
    Cli.Result r = Cli.etcdctl(proxyEp, "lease", "keep-alive", "--once", "abcdef");
    assertTrue(r.exitCode() != 0);
    assertTrue(r.output().contains("requested lease not found"), r.output());
  }

  @Test
  void leaseGrantKeepAliveAndTimeToLive() {
    String out = ctl("lease", "grant", "60").output();
    String id = out.split("\\s+")[1];
    assertTrue(ctl("lease", "keep-alive", "--once", id).output().contains("keepalived with TTL"));
    assertTrue(ctl("lease", "timetolive", id).output().contains("granted with TTL(60s)"));
    assertEquals("OK", ctl("put", "--lease=" + id, "p/leased", "x").output().trim());
    ctl("lease", "revoke", id);
    assertEquals("", ctl("get", "p/leased").output().trim());
  }

  @Test
  void memberListAnswersWithTheProxyAndMaintenanceIsForwarded() {
    String list = ctl("member", "list").output();
    assertTrue(list.contains(", " + proxyEp + ", "), list);
    String status = ctl("endpoint", "status").output();
    assertTrue(status.startsWith(proxyEp + ", "), status);
    assertTrue(status.contains("3.4"), status);
    // with a scheme, etcdctl puts the whole URL in :authority (grpc-go passthrough); it must still work
    Cli.Result withScheme = Cli.etcdctl("http://" + proxyEp, "endpoint", "status");
    assertEquals(0, withScheme.exitCode(), withScheme.output());
    assertTrue(Cli.etcdctl("http://" + proxyEp, "endpoint", "hashkv").output().contains("http://" + proxyEp));
  }

  @Test
  void healthAndMetricsOverHttp1() throws Exception {
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    HttpResponse<String> h = http.send(HttpRequest.newBuilder(URI.create("http://" + proxyEp + "/health")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, h.statusCode());
    assertEquals("{\"health\":\"true\"}", h.body());
    HttpResponse<String> m = http.send(HttpRequest.newBuilder(URI.create("http://" + proxyEp + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, m.statusCode());
    assertTrue(m.body().contains("etcd_server_has_leader"), "the member's metrics, fetched by the proxy");
  }

  @Test
  void jetcdWatchThroughTheProxyDeliversEveryEventInOrder() throws Exception {
    int n = 300;
    try (Client client = Client.builder().endpoints("http://" + proxyEp).build()) {
      List<Long> seen = new CopyOnWriteArrayList<>();
      List<Boolean> created = new CopyOnWriteArrayList<>();
      Watch.Listener listener = Watch.listener(r -> {
        if (r.isCreatedNotify()) created.add(true);
        for (WatchEvent e : r.getEvents()) seen.add(e.getKeyValue().getModRevision());
      });
      ByteSequence prefix = ByteSequence.from("w/", StandardCharsets.UTF_8);
      try (Watch.Watcher w = client.getWatchClient().watch(prefix,
          WatchOption.builder().isPrefix(true).withCreateNotify(true).build(), listener)) {
        Eventually.until("watch created", Duration.ofSeconds(20), () -> !created.isEmpty());
        List<Long> revs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
          revs.add(client.getKVClient().put(ByteSequence.from("w/" + (i % 7), StandardCharsets.UTF_8),
              ByteSequence.from("v" + i, StandardCharsets.UTF_8)).get(10, TimeUnit.SECONDS).getHeader().getRevision());
        }
        Eventually.until("all " + n + " events", Duration.ofSeconds(30), () -> seen.size() >= n);
        assertEquals(revs, seen);
      }
    }
  }
}
