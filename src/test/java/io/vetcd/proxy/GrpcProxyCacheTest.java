package io.vetcd.proxy;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import io.vetcd.testing.Cli;
import io.vetcd.testing.InJvmMember;
import io.vetcd.testing.Ports;
import io.vetcd.testing.TempDirs;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The grpc-proxy's serializable-read cache against a real in-JVM member: hits are proven by the member's own
 * grpc_server_started_total for Range not moving (and by answers after the member is gone); every write through the
 * proxy is visible to the next serializable read through it.
 */
class GrpcProxyCacheTest {
  private static final GetOption SERIALIZABLE = GetOption.builder().withSerializable(true).build();

  private static ByteSequence b(String s) {
    return ByteSequence.from(s, StandardCharsets.UTF_8);
  }

  private static String values(GetResponse r) {
    return r.getKvs().stream().map(kv -> kv.getKey().toString() + "=" + kv.getValue().toString())
        .collect(Collectors.joining(","));
  }

  private static String get(KV kv, String key) throws Exception {
    return values(kv.get(b(key), SERIALIZABLE).get(20, TimeUnit.SECONDS));
  }

  private static String http(String url) throws Exception {
    // HTTP/1.1: the member's listener also speaks h2c, and the JDK client's upgrade attempt can trip over it
    return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build().send(HttpRequest.newBuilder(URI.create(url)).build(),
        HttpResponse.BodyHandlers.ofString()).body();
  }

  /** Range calls the member itself has started. */
  private static double memberRanges(InJvmMember m) throws Exception {
    return http(m.endpoint() + "/metrics").lines()
        .filter(l -> l.startsWith("grpc_server_started_total") && l.contains("grpc_method=\"Range\""))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
  }

  private static double proxyMetric(String ep, String name) throws Exception {
    return GrpcProxyLeaseKeepAliveTest.metric(http("http://" + ep + "/proxy/metrics"), name);
  }

  private interface Body {
    void run(InJvmMember member, String proxyEp, KV kv) throws Exception;
  }

  private static void withProxy(String name, Body body) throws Exception {
    Path dir = TempDirs.create("vetcd-proxy-cache-" + name);
    InJvmMember member = InJvmMember.start(dir, Ports.free(), Ports.free());
    try {
      String ep = "127.0.0.1:" + Ports.free();
      GrpcProxyCommand.Running proxy = GrpcProxyCommand.start(List.of("start", "--endpoints", member.endpoint(),
          "--listen-addr", ep));
      try (Client client = Client.builder().endpoints("http://" + ep).build()) {
        body.run(member, ep, client.getKVClient());
      } finally {
        proxy.vertx().close().await();
      }
    } finally {
      try {
        member.close();
      } catch (RuntimeException alreadyStopped) {
        // stopped by the test
      }
      TempDirs.delete(dir);
    }
  }

  @Test
  void aSerializableReadIsAnsweredFromTheCacheAndEveryWriteThroughTheProxyIsSeenNext() throws Exception {
    withProxy("rw", (member, ep, kv) -> {
      kv.put(b("k"), b("v1")).get(20, TimeUnit.SECONDS);
      assertEquals("k=v1", get(kv, "k")); // miss: fills
      double before = memberRanges(member);
      double hits = proxyMetric(ep, "etcd_grpc_proxy_cache_hits_total");
      for (int i = 0; i < 5; i++) assertEquals("k=v1", get(kv, "k"));
      assertEquals(before, memberRanges(member), "cached answers do not reach the member");
      assertEquals(hits + 5, proxyMetric(ep, "etcd_grpc_proxy_cache_hits_total"));
      // etcdctl --consistency=s is served from the same entry
      assertEquals("v1", Cli.etcdctl(ep, "get", "k", "--print-value-only", "--consistency=s").output().trim());
      assertEquals(before, memberRanges(member));

      kv.put(b("k"), b("v2")).get(20, TimeUnit.SECONDS);
      assertEquals("k=v2", get(kv, "k"));
      kv.delete(b("k")).get(20, TimeUnit.SECONDS);
      assertEquals("", get(kv, "k"));
      kv.txn().If(new Cmp(b("k"), Cmp.Op.EQUAL, CmpTarget.version(0))).Then(Op.put(b("k"), b("v3"), PutOption.DEFAULT))
          .commit().get(20, TimeUnit.SECONDS);
      assertEquals("k=v3", get(kv, "k"));
      // a txn's else branch and a nested delete count as well
      kv.txn().If(new Cmp(b("k"), Cmp.Op.EQUAL, CmpTarget.version(0)))
          .Else(Op.txn(new Cmp[0], new Op[] {Op.delete(b("k"), DeleteOption.DEFAULT)}, new Op[0]))
          .commit().get(20, TimeUnit.SECONDS);
      assertEquals("", get(kv, "k"));
      kv.put(b("k"), b("v4")).get(20, TimeUnit.SECONDS);
      assertEquals("k=v4", get(kv, "k"));

      member.close();
      // the member is gone: the serializable answer still comes, from the proxy
      assertEquals("v4", Cli.etcdctl(ep, "get", "k", "--print-value-only", "--consistency=s").output().trim());
      Cli.Result lin = Cli.etcdctl(ep, "--command-timeout", "3s", "get", "k");
      assertNotEquals(0, lin.exitCode(), "a linearizable read always asks the cluster: " + lin.output());
    });
  }

  @Test
  void aPrefixDeleteInvalidatesTheRangesItTouchesAndNoOthers() throws Exception {
    withProxy("prefix", (member, ep, kv) -> {
      for (String k : List.of("a/1", "a/2", "ab", "b")) kv.put(b(k), b("x")).get(20, TimeUnit.SECONDS);
      GetOption prefix = GetOption.builder().isPrefix(true).withSerializable(true).build();
      GetOption from = GetOption.builder().withRange(b("\0")).withSerializable(true).build();
      GetOption countOnly = GetOption.builder().isPrefix(true).withCountOnly(true).withSerializable(true).build();
      assertEquals("a/1=x,a/2=x", values(kv.get(b("a/"), prefix).get(20, TimeUnit.SECONDS)));
      assertEquals(2, kv.get(b("a/"), countOnly).get(20, TimeUnit.SECONDS).getCount());
      assertEquals("ab=x,b=x", values(kv.get(b("ab"), from).get(20, TimeUnit.SECONDS)));
      assertEquals("b=x", get(kv, "b"));
      double before = memberRanges(member);
      // a count-only read is its own entry, not the full read's answer
      assertEquals(2, kv.get(b("a/"), countOnly).get(20, TimeUnit.SECONDS).getCount());
      assertEquals(0, kv.get(b("a/"), countOnly).get(20, TimeUnit.SECONDS).getKvs().size());
      assertEquals(before, memberRanges(member));

      kv.delete(b("a/"), DeleteOption.builder().isPrefix(true).build()).get(20, TimeUnit.SECONDS);
      assertEquals("", values(kv.get(b("a/"), prefix).get(20, TimeUnit.SECONDS)));
      assertEquals(0, kv.get(b("a/"), countOnly).get(20, TimeUnit.SECONDS).getCount());
      double afterDelete = memberRanges(member);
      assertEquals(before + 2, afterDelete, "both prefix entries were invalidated and fetched again");
      // ["ab", end) and "b" do not meet [a/, a0): still cached
      assertEquals("ab=x,b=x", values(kv.get(b("ab"), from).get(20, TimeUnit.SECONDS)));
      assertEquals("b=x", get(kv, "b"));
      assertEquals(afterDelete, memberRanges(member));
      // a put inside ["ab", end) invalidates that open-ended range
      kv.put(b("c"), b("y")).get(20, TimeUnit.SECONDS);
      assertEquals("ab=x,b=x,c=y", values(kv.get(b("ab"), from).get(20, TimeUnit.SECONDS)));
    });
  }

  @Test
  void aReadAtARevisionIsCachedUnderItsRevisionUntilCompactionPassesIt() throws Exception {
    withProxy("compact", (member, ep, kv) -> {
      long r1 = kv.put(b("k"), b("v1")).get(20, TimeUnit.SECONDS).getHeader().getRevision();
      long r2 = kv.put(b("k"), b("v2")).get(20, TimeUnit.SECONDS).getHeader().getRevision();
      GetOption at1 = GetOption.builder().withRevision(r1).withSerializable(true).build();
      assertEquals("k=v1", values(kv.get(b("k"), at1).get(20, TimeUnit.SECONDS)));
      assertEquals("k=v2", get(kv, "k"));
      double before = memberRanges(member);
      assertEquals("k=v1", values(kv.get(b("k"), at1).get(20, TimeUnit.SECONDS)));
      kv.put(b("other"), b("x")).get(20, TimeUnit.SECONDS);
      assertEquals("k=v1", values(kv.get(b("k"), at1).get(20, TimeUnit.SECONDS)), "history does not change");
      assertEquals(before, memberRanges(member));

      kv.compact(r2).get(20, TimeUnit.SECONDS);
      Exception e = assertThrows(Exception.class, () -> kv.get(b("k"), at1).get(20, TimeUnit.SECONDS));
      assertTrue(String.valueOf(e.getMessage()).contains("compacted"), String.valueOf(e));
      GetOption at2 = GetOption.builder().withRevision(r2).withSerializable(true).build();
      assertEquals("k=v2", values(kv.get(b("k"), at2).get(20, TimeUnit.SECONDS)), "the compacted revision itself stays readable");
    });
  }

  @Test
  void aLinearizableReadRefreshesWhatSerializableReadsSee() throws Exception {
    withProxy("lin", (member, ep, kv) -> {
      try (Client direct = Client.builder().endpoints(member.endpoint()).build()) {
        direct.getKVClient().put(b("k"), b("v1")).get(20, TimeUnit.SECONDS);
        assertEquals("k=v1", get(kv, "k"));
        // a write the proxy never saw: a serializable read may be stale by it, as with etcd's proxy
        direct.getKVClient().put(b("k"), b("v2")).get(20, TimeUnit.SECONDS);
        assertEquals("k=v1", get(kv, "k"));
        assertEquals("k=v2", values(kv.get(b("k")).get(20, TimeUnit.SECONDS)));
        double before = memberRanges(member);
        assertEquals("k=v2", get(kv, "k"));
        assertEquals(before, memberRanges(member), "the linearizable answer was stored");
      }
    });
  }

  @Test
  void theCacheHoldsAtMost2048Answers() throws Exception {
    withProxy("size", (member, ep, kv) -> {
      int n = RangeCache.DEFAULT_MAX_ENTRIES + 100;
      List<CompletableFuture<GetResponse>> all = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        all.add(kv.get(b("key-" + i), SERIALIZABLE));
        if (all.size() == 100) { // batches of 100: the first 100 filled are exactly key-0..key-99
          for (CompletableFuture<GetResponse> f : all) f.get(30, TimeUnit.SECONDS);
          all.clear();
        }
      }
      for (CompletableFuture<GetResponse> f : all) f.get(30, TimeUnit.SECONDS);
      assertEquals(RangeCache.DEFAULT_MAX_ENTRIES, proxyMetric(ep, "etcd_grpc_proxy_cache_keys_total"));
      double before = memberRanges(member);
      get(kv, "key-" + (n - 1)); // recent: a hit
      assertEquals(before, memberRanges(member));
      get(kv, "key-0"); // the least recently used went first: a miss
      assertEquals(before + 1, memberRanges(member));
    });
  }

  @Test
  void readsRacingWritesNeverShowAnOlderValueThanTheLastAcknowledgedOne() throws Exception {
    withProxy("race", (member, ep, kv) -> {
      kv.put(b("n"), b("0")).get(20, TimeUnit.SECONDS);
      java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
      List<CompletableFuture<Void>> readers = new ArrayList<>();
      for (int r = 0; r < 4; r++) {
        boolean linearizable = r % 2 == 0;
        readers.add(CompletableFuture.runAsync(() -> {
          while (!stop.get()) {
            kv.get(b("n"), linearizable ? GetOption.DEFAULT : SERIALIZABLE).join();
          }
        }));
      }
      try {
        for (int i = 1; i <= 200; i++) {
          kv.put(b("n"), b(Integer.toString(i))).get(20, TimeUnit.SECONDS);
          List<KeyValue> got = kv.get(b("n"), SERIALIZABLE).get(20, TimeUnit.SECONDS).getKvs();
          assertEquals(Integer.toString(i), got.get(0).getValue().toString(), "read after acknowledged write " + i);
        }
      } finally {
        stop.set(true);
        for (CompletableFuture<Void> f : readers) f.get(30, TimeUnit.SECONDS);
      }
      assertTrue(proxyMetric(ep, "etcd_grpc_proxy_cache_hits_total") > 0);
    });
  }
}
