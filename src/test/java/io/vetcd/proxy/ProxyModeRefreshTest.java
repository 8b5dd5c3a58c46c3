package io.vetcd.proxy;

import io.vertx.core.Vertx;
import io.vetcd.config.ConfigLoader;
import io.vetcd.config.EtcdConfig;
import io.vetcd.testing.Cli;
import io.vetcd.testing.Eventually;
import io.vetcd.testing.InJvmMember;
import io.vetcd.testing.Ports;
import io.vetcd.testing.TempDirs;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * --proxy-refresh-interval: a proxy that knew one member learns of a member added later, and of its peer URL, so
 * when the first member stops it still serves (serializable) reads from the new one.
 */
class ProxyModeRefreshTest {

  @Test
  void aMemberAddedLaterIsFoundByTheRefresh() throws Exception {
    Path dir = TempDirs.create("vetcd-proxymode-refresh");
    Vertx configVertx = Vertx.vertx();
    InJvmMember first = null;
    InJvmMember second = null;
    GrpcProxyCommand.Running proxy = null;
    try {
      int p1 = Ports.free();
      first = InJvmMember.start(dir.resolve("m1"), Ports.free(), p1);
      String ep = "127.0.0.1:" + Ports.free();
      EtcdConfig cfg = ConfigLoader.loadSync(configVertx, List.of("--proxy", "on",
          "--proxy-refresh-interval", "300", "--proxy-failure-wait", "1000", "--proxy-dial-timeout", "500",
          "--initial-cluster", "test=http://127.0.0.1:" + p1, "--listen-client-urls", "http://" + ep,
          "--data-dir", dir.resolve("proxy").toString()), Map.of());
      proxy = ProxyMode.start(cfg);
      assertEquals(0, Cli.etcdctl(ep, "put", "r/k", "v").exitCode());

      int c2 = Ports.free();
      int p2 = Ports.free();
      Cli.Result add = Cli.etcdctl(first.endpoint(), "member", "add", "m2", "--peer-urls=http://127.0.0.1:" + p2);
      assertEquals(0, add.exitCode(), add.output());
      second = InJvmMember.start("m2", dir.resolve("m2"), c2, p2,
          "test=http://127.0.0.1:" + p1 + ",m2=http://127.0.0.1:" + p2, "--initial-cluster-state", "existing");
      InJvmMember m2 = second;
      Eventually.until("m2 has the key", Duration.ofSeconds(20),
          () -> Cli.etcdctl(m2.endpoint(), "get", "r/k", "--consistency=s").output().trim().equals("r/k\nv"));
      Thread.sleep(1500); // several refreshes: m2's client URL is published and listed by /members

      first.stop();
      first = null;
      // only m2 is left (no quorum, so a serializable read): the proxy must have learnt m2 to answer
      Eventually.until("the proxy reads from m2", Duration.ofSeconds(20),
          () -> Cli.etcdctl(ep, "get", "r/k", "--consistency=s").output().trim().equals("r/k\nv"));
    } finally {
      if (proxy != null) proxy.vertx().close().await();
      if (second != null) second.close();
      if (first != null) first.close();
      configVertx.close().await();
      TempDirs.delete(dir);
    }
  }
}
