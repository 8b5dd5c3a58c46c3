package io.vetcd.proxy;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.options.WatchOption;
import io.vetcd.testing.Cli;
import io.vetcd.testing.Eventually;
import io.vetcd.testing.InJvmMember;
import io.vetcd.testing.Ports;
import io.vetcd.testing.TempDirs;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Auth through the proxy: the client's token reaches the member on forwarded calls and on the proxy's own cluster
 * watchers, so a user sees exactly what the member allows it — the proxy never lends one user's watcher to another.
 */
class GrpcProxyAuthTest {

  static ByteSequence bs(String s) {
    return ByteSequence.from(s, StandardCharsets.UTF_8);
  }

  @Test
  void tokensAreForwardedAndWatchersAreNotSharedAcrossUsers() throws Exception {
    Path dir = TempDirs.create("vetcd-proxy-auth");
    try (InJvmMember member = InJvmMember.start(dir, Ports.free(), Ports.free())) {
      String m = member.endpoint();
      for (String[] cmd : new String[][] {{"user", "add", "root:rootpw"}, {"role", "add", "r"},
          {"role", "grant-permission", "r", "readwrite", "mine/", "--prefix"}, {"user", "add", "alice:alicepw"},
          {"user", "grant-role", "alice", "r"}, {"auth", "enable"}}) {
        Cli.Result r = Cli.etcdctl(m, cmd);
        assertEquals(0, r.exitCode(), String.join(" ", cmd) + ": " + r.output());
      }
      String ep = "127.0.0.1:" + Ports.free();
      GrpcProxyCommand.Running proxy = GrpcProxyCommand.start(List.of("start", "--endpoints", m, "--listen-addr", ep));
      try (Client alice = Client.builder().endpoints("http://" + ep).user(bs("alice")).password(bs("alicepw")).build();
           Client root = Client.builder().endpoints("http://" + ep).user(bs("root")).password(bs("rootpw")).build()) {
        alice.getKVClient().put(bs("mine/a"), bs("1")).get(20, TimeUnit.SECONDS);
        Exception denied = org.junit.jupiter.api.Assertions.assertThrows(Exception.class,
            () -> alice.getKVClient().put(bs("other/a"), bs("1")).get(20, TimeUnit.SECONDS));
        assertTrue(String.valueOf(denied.getMessage()).contains("permission denied"), String.valueOf(denied));
        assertTrue(Cli.etcdctl(ep, "get", "mine/a").output().contains("user name is empty"),
            "no credentials: the member's refusal comes back");
        // the serializable-read cache is not keyed by user: root's answer must never reach alice
        root.getKVClient().put(bs("other/a"), bs("secret")).get(20, TimeUnit.SECONDS);
        io.etcd.jetcd.options.GetOption ser = io.etcd.jetcd.options.GetOption.builder().withSerializable(true).build();
        for (int i = 0; i < 2; i++) {
          assertEquals(1, root.getKVClient().get(bs("other/a"), ser).get(20, TimeUnit.SECONDS).getCount());
        }
        Exception hidden = org.junit.jupiter.api.Assertions.assertThrows(Exception.class,
            () -> alice.getKVClient().get(bs("other/a"), ser).get(20, TimeUnit.SECONDS));
        assertTrue(String.valueOf(hidden.getMessage()).contains("permission denied"), String.valueOf(hidden));
        assertTrue(Cli.etcdctl(ep, "get", "other/a", "--consistency=s").output().contains("user name is empty"),
            "no credentials, serializable: still the member's refusal");

        List<String> rootSaw = new CopyOnWriteArrayList<>();
        List<String> aliceSaw = new CopyOnWriteArrayList<>();
        List<Boolean> created = new CopyOnWriteArrayList<>();
        WatchOption opt = WatchOption.builder().isPrefix(true).withCreateNotify(true).build();
        try (Watch.Watcher wr = root.getWatchClient().watch(bs("mine/"), opt, Watch.listener(r -> {
              if (r.isCreatedNotify()) created.add(true);
              r.getEvents().forEach(e -> rootSaw.add(e.getKeyValue().getKey().toString(StandardCharsets.UTF_8)));
            }));
             Watch.Watcher wa = alice.getWatchClient().watch(bs("mine/"), opt, Watch.listener(r -> {
               if (r.isCreatedNotify()) created.add(true);
               r.getEvents().forEach(e -> aliceSaw.add(e.getKeyValue().getKey().toString(StandardCharsets.UTF_8)));
             }))) {
          Eventually.until("both watches created", Duration.ofSeconds(20), () -> created.size() >= 2);
          assertEquals(2, proxy.upstreamWatchers(), "one cluster watcher per user's token");
          root.getKVClient().put(bs("mine/b"), bs("2")).get(20, TimeUnit.SECONDS);
          Eventually.until("both saw it", Duration.ofSeconds(20), () -> rootSaw.size() >= 1 && aliceSaw.size() >= 1);
          assertEquals(List.of("mine/b"), rootSaw);
          assertEquals(List.of("mine/b"), aliceSaw);
        }
      } finally {
        proxy.vertx().close().await();
      }
    } finally {
      TempDirs.delete(dir);
    }
  }
}
