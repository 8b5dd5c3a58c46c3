package io.vetcd.proxy;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
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

/**
 * Watch coalescing through the proxy, checked on both sides: every client watcher gets every event exactly once and
 * in order, while the member (its etcd_debugging_mvcc_watcher_total) and the proxy count one cluster watcher per
 * watched key.
 */
class GrpcProxyWatchCoalescingTest {
  static InJvmMember member;
  static Path dir;
  static GrpcProxyCommand.Running proxy;
  static String proxyUrl;

  @BeforeAll
  static void start() throws Exception {
    dir = TempDirs.create("vetcd-proxy-watch");
    member = InJvmMember.start(dir, Ports.free(), Ports.free());
    int port = Ports.free();
    proxyUrl = "http://127.0.0.1:" + port;
    proxy = GrpcProxyCommand.start(List.of("start", "--endpoints", member.endpoint(), "--listen-addr", "127.0.0.1:" + port));
  }

  @AfterAll
  static void stop() {
    proxy.vertx().close().await();
    member.close();
    TempDirs.delete(dir);
  }

  static ByteSequence bs(String s) {
    return ByteSequence.from(s, StandardCharsets.UTF_8);
  }

  static long memberWatchers() throws Exception {
    String body = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(member.endpoint() + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString()).body();
    return body.lines().filter(l -> l.startsWith("etcd_debugging_mvcc_watcher_total "))
        .mapToLong(l -> (long) Double.parseDouble(l.substring(l.indexOf(' ') + 1))).findFirst().orElse(-1);
  }

  /** A watcher's events as modRevision list, and whether its created response came. */
  static final class Seen {
    final List<Long> revs = new CopyOnWriteArrayList<>();
    final List<Boolean> created = new CopyOnWriteArrayList<>();
    final Watch.Listener listener = Watch.listener(r -> {
      if (r.isCreatedNotify()) created.add(true);
      for (WatchEvent e : r.getEvents()) revs.add(e.getKeyValue().getModRevision());
    });
  }

  @Test
  void manyWatchersOfTwoKeysShareTwoClusterWatchersAndAllSeeEverything() throws Exception {
    long before = memberWatchers();
    int clients = 4;
    int perClientPerKey = 10;
    List<Client> cs = new ArrayList<>();
    List<Watch.Watcher> ws = new ArrayList<>();
    List<Seen> onA = new ArrayList<>();
    List<Seen> onB = new ArrayList<>();
    try {
      for (int c = 0; c < clients; c++) {
        Client client = Client.builder().endpoints(proxyUrl).build();
        cs.add(client);
        for (int i = 0; i < perClientPerKey; i++) {
          for (String key : List.of("co/a", "co/b")) {
            Seen s = new Seen();
            (key.equals("co/a") ? onA : onB).add(s);
            ws.add(client.getWatchClient().watch(bs(key), WatchOption.builder().withCreateNotify(true).build(), s.listener));
          }
        }
      }
      Eventually.until("every watcher created", Duration.ofSeconds(30),
          () -> onA.stream().allMatch(s -> !s.created.isEmpty()) && onB.stream().allMatch(s -> !s.created.isEmpty()));
      assertEquals(2, proxy.upstreamWatchers(), "one cluster watcher per key");
      assertEquals(before + 2, memberWatchers(), "the member itself counts two more watchers, not 80");

      List<Long> revA = new ArrayList<>();
      List<Long> revB = new ArrayList<>();
      Client writer = cs.get(0);
      for (int i = 0; i < 100; i++) {
        String key = i % 2 == 0 ? "co/a" : "co/b";
        long rev = writer.getKVClient().put(bs(key), bs("v" + i)).get(10, TimeUnit.SECONDS).getHeader().getRevision();
        (i % 2 == 0 ? revA : revB).add(rev);
      }
      Eventually.until("all events at every watcher", Duration.ofSeconds(30),
          () -> onA.stream().allMatch(s -> s.revs.size() >= revA.size()) && onB.stream().allMatch(s -> s.revs.size() >= revB.size()));
      for (Seen s : onA) assertEquals(revA, s.revs);
      for (Seen s : onB) assertEquals(revB, s.revs);
    } finally {
      for (Watch.Watcher w : ws) w.close();
      for (Client c : cs) c.close();
    }
    Eventually.until("cluster watchers released", Duration.ofSeconds(20), () -> proxy.upstreamWatchers() == 0);
  }

  @Test
  void aLateJoinerFromAnOldRevisionCatchesUpThenSharesTheWatcher() throws Exception {
    try (Client client = Client.builder().endpoints(proxyUrl).build()) {
      List<Long> revs = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        revs.add(client.getKVClient().put(bs("late/k"), bs("old" + i)).get(10, TimeUnit.SECONDS).getHeader().getRevision());
      }
      Seen live = new Seen();
      Seen late = new Seen();
      try (Watch.Watcher w1 = client.getWatchClient().watch(bs("late/k"), WatchOption.builder().withCreateNotify(true).build(), live.listener)) {
        Eventually.until("live watcher created", Duration.ofSeconds(20), () -> !live.created.isEmpty());
        revs.add(client.getKVClient().put(bs("late/k"), bs("new0")).get(10, TimeUnit.SECONDS).getHeader().getRevision());
        try (Watch.Watcher w2 = client.getWatchClient().watch(bs("late/k"),
            WatchOption.builder().withRevision(revs.get(0)).withCreateNotify(true).build(), late.listener)) {
          // history: the late joiner needs events the live one's cluster watcher is past, so it gets its own
          Eventually.until("late joiner caught up", Duration.ofSeconds(20), () -> late.revs.size() >= 6);
          for (int i = 1; i < 4; i++) {
            revs.add(client.getKVClient().put(bs("late/k"), bs("new" + i)).get(10, TimeUnit.SECONDS).getHeader().getRevision());
          }
          Eventually.until("both see the new events", Duration.ofSeconds(20), () -> late.revs.size() >= 9 && live.revs.size() >= 4);
          assertEquals(revs, late.revs, "history then live, each once");
          assertEquals(revs.subList(5, 9), live.revs);
          Eventually.until("the two cluster watchers merged", Duration.ofSeconds(10), () -> proxy.upstreamWatchers() == 1);
          revs.add(client.getKVClient().put(bs("late/k"), bs("after-merge")).get(10, TimeUnit.SECONDS).getHeader().getRevision());
          Eventually.until("after the merge", Duration.ofSeconds(20), () -> late.revs.size() >= 10 && live.revs.size() >= 5);
          assertEquals(revs, late.revs);
          assertEquals(revs.subList(5, 10), live.revs);
        }
      }
    }
  }
}
