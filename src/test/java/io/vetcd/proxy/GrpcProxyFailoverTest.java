package io.vetcd.proxy;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import io.vetcd.testing.Cli;
import io.vetcd.testing.Eventually;
import io.vetcd.testing.InJvmCluster;
import io.vetcd.testing.Ports;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The proxy's endpoint failover against a 3-member cluster: the member the proxy talks to is stopped mid-stream;
 * calls move to the next endpoint, and a watch through the proxy resumes from its next revision there, so the
 * client sees exactly the key's history (compared with a watch straight on a surviving member) — no gap, no repeat.
 */
class GrpcProxyFailoverTest {

  static ByteSequence bs(String s) {
    return ByteSequence.from(s, StandardCharsets.UTF_8);
  }

  static List<Long> watchedRevs(Client client, long from, int count) throws Exception {
    List<Long> revs = new CopyOnWriteArrayList<>();
    try (Watch.Watcher w = client.getWatchClient().watch(bs("fo/k"), WatchOption.builder().withRevision(from).build(),
        Watch.listener(r -> r.getEvents().forEach(e -> revs.add(e.getKeyValue().getModRevision()))))) {
      Eventually.until(count + " events from the member", Duration.ofSeconds(30), () -> revs.size() >= count);
    }
    return revs;
  }

  @Test
  void callsAndAWatchSurviveTheLossOfTheMemberTheProxyUses() throws Exception {
    try (InJvmCluster cluster = InJvmCluster.start(3)) {
      int port = Ports.free();
      String proxyEp = "127.0.0.1:" + port;
      GrpcProxyCommand.Running proxy = GrpcProxyCommand.start(List.of("start", "--endpoints", cluster.endpoints(),
          "--listen-addr", proxyEp));
      try (Client client = Client.builder().endpoints("http://" + proxyEp).build()) {
        List<Long> seen = new CopyOnWriteArrayList<>();
        List<Boolean> created = new CopyOnWriteArrayList<>();
        long start = client.getKVClient().put(bs("fo/k"), bs("first")).get(20, TimeUnit.SECONDS).getHeader().getRevision();
        try (Watch.Watcher w = client.getWatchClient().watch(bs("fo/k"), WatchOption.builder().withRevision(start)
            .withCreateNotify(true).build(), Watch.listener(r -> {
              if (r.isCreatedNotify()) created.add(true);
              r.getEvents().forEach(e -> seen.add(e.getKeyValue().getModRevision()));
            }))) {
          Eventually.until("watch created", Duration.ofSeconds(20), () -> !created.isEmpty());
          int acked = 0;
          for (int i = 0; i < 20; i++) {
            if (i == 10) cluster.members.get(0).close(); // the proxy's pinned endpoint goes away
            for (int attempt = 0; attempt < 20; attempt++) {
              try {
                client.getKVClient().put(bs("fo/k"), bs("v" + i)).get(10, TimeUnit.SECONDS);
                acked++;
                break;
              } catch (Exception e) {
                Thread.sleep(250); // an election or a call cut by the member's exit; the next attempt fails over
              }
            }
          }
          assertEquals(20, acked, "every put eventually succeeded through the proxy");
          // etcdctl too, through the same proxy, after the loss
          Cli.Result r = Cli.etcdctl(proxyEp, "get", "fo/k", "--print-value-only");
          assertEquals("v19", r.output().trim(), r.output());

          long last = client.getKVClient().get(bs("fo/k")).get(10, TimeUnit.SECONDS).getKvs().get(0).getModRevision();
          Eventually.until("the proxied watcher reached " + last, Duration.ofSeconds(30),
              () -> !seen.isEmpty() && seen.get(seen.size() - 1) >= last);
          List<Long> truth;
          try (Client direct = Client.builder().endpoints(cluster.members.get(1).endpoint()).build()) {
            truth = watchedRevs(direct, start, seen.size());
          }
          assertEquals(truth, new ArrayList<>(seen), "the key's history exactly once, in order");
          assertTrue(seen.size() >= 21);
        }
      } finally {
        proxy.vertx().close().await();
      }
    }
  }
}
