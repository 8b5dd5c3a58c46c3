package io.vetcd.proxy;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.options.WatchOption;
import io.vetcd.testing.Eventually;
import io.vetcd.testing.InJvmMember;
import io.vetcd.testing.Ports;
import io.vetcd.testing.TempDirs;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The watch workload at the proxy: 10,000 watchers of 10 keys (over 10 jetcd clients), 100 puts per key; every
 * watcher must get all 100 events of its key, and the member must hold 10 watchers. Prints the event delivery
 * latency (put acknowledged -> last watcher has it). Tagged soak (about a minute); run with
 * {@code mvn -o test -Dtest=GrpcProxyWatchScaleTest -Dsurefire.excludedGroups=none}.
 */
@Tag("soak")
class GrpcProxyWatchScaleTest {

  @Test
  void tenThousandWatchersOfTenKeys() throws Exception {
    Path dir = TempDirs.create("vetcd-proxy-scale");
    try (InJvmMember member = InJvmMember.start(dir, Ports.free(), Ports.free())) {
      String ep = "127.0.0.1:" + Ports.free();
      GrpcProxyCommand.Running proxy = GrpcProxyCommand.start(List.of("start", "--endpoints", member.endpoint(), "--listen-addr", ep));
      int keys = 10;
      int watchers = 10_000;
      int puts = 100;
      List<Client> clients = new ArrayList<>();
      List<Watch.Watcher> ws = new ArrayList<>();
      AtomicLongArray counts = new AtomicLongArray(watchers);
      AtomicLongArray created = new AtomicLongArray(watchers);
      try {
        for (int c = 0; c < 10; c++) clients.add(Client.builder().endpoints("http://" + ep).build());
        for (int i = 0; i < watchers; i++) {
          int me = i;
          ws.add(clients.get(i % 10).getWatchClient().watch(ByteSequence.from("scale/" + (i % keys), StandardCharsets.UTF_8),
              WatchOption.builder().withCreateNotify(true).build(), Watch.listener(r -> {
                if (r.isCreatedNotify()) created.set(me, 1);
                counts.addAndGet(me, r.getEvents().size());
              })));
        }
        Eventually.until("all watchers created", Duration.ofSeconds(120), () -> sum(created) == watchers);
        System.out.println("upstream watchers at the proxy: " + proxy.upstreamWatchers());
        assertEquals(keys, proxy.upstreamWatchers());
        long[] lat = new long[puts * keys];
        int n = 0;
        for (int p = 0; p < puts; p++) {
          for (int k = 0; k < keys; k++) {
            long t0 = System.nanoTime();
            clients.get(0).getKVClient().put(ByteSequence.from("scale/" + k, StandardCharsets.UTF_8),
                ByteSequence.from("v" + p, StandardCharsets.UTF_8)).get(20, TimeUnit.SECONDS);
            long target = p + 1;
            int key = k;
            Eventually.until("delivery", Duration.ofSeconds(60), () -> {
              for (int w = key; w < watchers; w += keys) if (counts.get(w) < target) return false;
              return true;
            });
            lat[n++] = System.nanoTime() - t0;
          }
        }
        Arrays.sort(lat);
        System.out.printf("put -> all %d watchers of the key have it: p50 %.1f ms, p99 %.1f ms, max %.1f ms%n", watchers / keys,
            lat[lat.length / 2] / 1e6, lat[lat.length * 99 / 100] / 1e6, lat[lat.length - 1] / 1e6);
        for (int w = 0; w < watchers; w++) assertEquals(puts, counts.get(w), "watcher " + w);
      } finally {
        for (Watch.Watcher w : ws) w.close();
        for (Client c : clients) c.close();
        proxy.vertx().close().await();
      }
    } finally {
      TempDirs.delete(dir);
    }
  }

  static long sum(AtomicLongArray a) {
    long s = 0;
    for (int i = 0; i < a.length(); i++) s += a.get(i);
    return s;
  }
}
