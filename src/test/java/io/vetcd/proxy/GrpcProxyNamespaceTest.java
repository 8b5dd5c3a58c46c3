package io.vetcd.proxy;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import io.vetcd.testing.Cli;
import io.vetcd.testing.Eventually;
import io.vetcd.testing.InJvmMember;
import io.vetcd.testing.Ports;
import io.vetcd.testing.TempDirs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** --namespace: clients of the proxy see and touch only PREFIX+key, whatever range they ask for. */
class GrpcProxyNamespaceTest {
  static InJvmMember member;
  static Path dir;
  static GrpcProxyCommand.Running proxy;
  static String ep;

  @BeforeAll
  static void start() throws Exception {
    dir = TempDirs.create("vetcd-proxy-ns");
    member = InJvmMember.start(dir, Ports.free(), Ports.free());
    ep = "127.0.0.1:" + Ports.free();
    proxy = GrpcProxyCommand.start(List.of("start", "--endpoints", member.endpoint(), "--listen-addr", ep,
        "--namespace", "t1/"));
    Cli.etcdctl(member.endpoint(), "put", "outside", "secret");
    Cli.etcdctl(member.endpoint(), "put", "t1", "the prefix without its slash");
    Cli.etcdctl(member.endpoint(), "put", "t2/x", "another tenant");
  }

  @AfterAll
  static void stop() {
    proxy.vertx().close().await();
    member.close();
    TempDirs.delete(dir);
  }

  static List<String> lines(String out) {
    return out.lines().filter(l -> !l.isBlank()).toList();
  }

  @Test
  void keysArePrefixedOnTheWayInAndStrippedOnTheWayOut() {
    assertEquals("OK", Cli.etcdctl(ep, "put", "a", "1").output().trim());
    assertEquals("t1/a\n1", Cli.etcdctl(member.endpoint(), "get", "t1/a").output().trim());
    assertEquals(List.of("a", "1"), lines(Cli.etcdctl(ep, "get", "a").output()));
    String prev = Cli.etcdctl(ep, "put", "a", "2", "--prev-kv").output();
    assertEquals(List.of("OK", "a", "1"), lines(prev));
  }

  @Test
  void theWholeKeyspaceThroughTheProxyIsTheNamespace() {
    Cli.etcdctl(ep, "put", "b", "1");
    Cli.etcdctl(ep, "put", "c", "1");
    List<String> all = lines(Cli.etcdctl(ep, "get", "", "--from-key", "--keys-only").output());
    assertTrue(all.containsAll(List.of("b", "c")), all.toString());
    assertTrue(all.stream().noneMatch(k -> k.startsWith("t1") || k.equals("outside") || k.startsWith("t2")), all.toString());
    // a delete of everything deletes only the namespace
    Cli.etcdctl(ep, "del", "", "--from-key");
    assertEquals(List.of(), lines(Cli.etcdctl(ep, "get", "", "--from-key").output()));
    assertEquals("secret", Cli.etcdctl(member.endpoint(), "get", "outside", "--print-value-only").output().trim());
    assertEquals("another tenant", Cli.etcdctl(member.endpoint(), "get", "t2/x", "--print-value-only").output().trim());
    assertEquals("the prefix without its slash", Cli.etcdctl(member.endpoint(), "get", "t1", "--print-value-only").output().trim());
  }

  @Test
  void anEmptyKeyIsRefusedAsEtcdsNamespaceClientDoes() {
    // etcdctl refuses an empty key itself, so the check is exercised directly
    KeyNamespace ns = new KeyNamespace("t1/");
    org.junit.jupiter.api.Assertions.assertThrows(KeyNamespace.Refused.class,
        () -> ns.request(io.vetcd.pb.etcdserver.RangeRequest.getDefaultInstance()));
    // "to the end of the keyspace" ends where the namespace ends ('/' + 1 = '0')
    assertEquals("t10", ns.rangeEnd(com.google.protobuf.ByteString.copyFrom(new byte[] {0})).toStringUtf8());
    assertEquals("t1/z", ns.rangeEnd(com.google.protobuf.ByteString.copyFromUtf8("z")).toStringUtf8());
  }

  @Test
  void txnComparesAndOpsStayInside() {
    Cli.etcdctl(ep, "put", "tx", "1");
    Cli.Result txn = Cli.etcdctlWithInput(ep, "value(\"tx\") = \"1\"\n\nput tx 2\nget tx\n\nput tx fail\n\n", "txn");
    assertEquals(List.of("SUCCESS", "OK", "tx", "2"), lines(txn.output()), txn.output());
    assertEquals("2", Cli.etcdctl(member.endpoint(), "get", "t1/tx", "--print-value-only").output().trim());
  }

  @Test
  void watchAndLockNamesLiveInTheNamespace() throws Exception {
    try (Client client = Client.builder().endpoints("http://" + ep).build()) {
      List<String> keys = new CopyOnWriteArrayList<>();
      List<Boolean> created = new CopyOnWriteArrayList<>();
      try (Watch.Watcher w = client.getWatchClient().watch(ByteSequence.from("", StandardCharsets.UTF_8),
          WatchOption.builder().withRange(ByteSequence.from(new byte[] {0})).withCreateNotify(true).build(),
          Watch.listener(r -> {
            if (r.isCreatedNotify()) created.add(true);
            for (WatchEvent e : r.getEvents()) keys.add(e.getKeyValue().getKey().toString(StandardCharsets.UTF_8));
          }))) {
        Eventually.until("created", Duration.ofSeconds(20), () -> !created.isEmpty());
        Cli.etcdctl(member.endpoint(), "put", "outside", "unseen");
        Cli.etcdctl(ep, "put", "w1", "seen");
        Eventually.until("event", Duration.ofSeconds(20), () -> !keys.isEmpty());
        Thread.sleep(300);
        assertEquals(List.of("w1"), keys);
      }
    }
    Cli.Result lock = Cli.etcdctl(ep, "lock", "mylock", "echo", "held");
    assertTrue(lock.output().contains("held"), lock.output());
    Cli.Result locked = Cli.run(List.of("bash", "-c", "ETCDCTL_API=3 etcdctl --endpoints " + ep
        + " lock mylock -- bash -c 'ETCDCTL_API=3 etcdctl --endpoints " + member.endpoint() + " get t1/mylock --prefix --keys-only'"));
    assertTrue(locked.output().contains("t1/mylock/"), "the lock key is inside the namespace: " + locked.output());
  }
}
