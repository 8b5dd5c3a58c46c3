package io.vetcd.gateway;

import io.vetcd.config.ConfigException;
import io.vetcd.testing.Cli;
import io.vetcd.testing.InJvmMember;
import io.vetcd.testing.Ports;
import io.vetcd.testing.TempDirs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code etcd gateway start} in front of a real member, driven by etcdctl (the way etcd's e2e TestGateway does). */
class GatewayTest {
  static InJvmMember member;
  static Path dir;

  @BeforeAll
  static void startMember() throws Exception {
    dir = TempDirs.create("vetcd-gateway");
    member = InJvmMember.start(dir, Ports.free(), Ports.free());
  }

  @AfterAll
  static void stopMember() {
    member.close();
    TempDirs.delete(dir);
  }

  @Test
  void etcdctlPutAndGetThroughTheGateway() {
    int port = Ports.free();
    GatewayCommand.Running gw = GatewayCommand.start(List.of("--endpoints=" + member.endpoint(),
        "--listen-addr", "127.0.0.1:" + port, "start"));
    try {
      String ep = "127.0.0.1:" + port;
      Cli.Result put = Cli.etcdctl(ep, "put", "gw-key", "gw-value");
      assertEquals(0, put.exitCode(), put.output());
      assertEquals("OK", put.output().trim());
      Cli.Result get = Cli.etcdctl(ep, "get", "gw-key");
      assertEquals("gw-key\ngw-value", get.output().trim());
      // the member itself has it: the bytes really went through to it
      assertEquals("gw-key\ngw-value", Cli.etcdctl(member.endpoint(), "get", "gw-key").output().trim());
    } finally {
      gw.vertx().close().await();
    }
  }

  @Test
  void aDeadEndpointIsSkippedAndEveryConnectionReachesTheLiveOne() {
    int dead = Ports.free(); // nothing listens there
    int port = Ports.free();
    GatewayCommand.Running gw = GatewayCommand.start(List.of("start", "--endpoints",
        "127.0.0.1:" + dead + "," + member.endpoint(), "--listen-addr=127.0.0.1:" + port, "--retry-delay", "1h"));
    try {
      // round robin would send every other connection to the dead endpoint; each must still succeed
      for (int i = 0; i < 4; i++) {
        Cli.Result put = Cli.etcdctl("127.0.0.1:" + port, "put", "k" + i, "v" + i);
        assertEquals(0, put.exitCode(), put.output());
      }
      assertEquals(List.of("k0", "k1", "k2", "k3"), Cli.etcdctl(member.endpoint(), "get", "k", "--prefix", "--keys-only")
          .output().lines().filter(l -> !l.isBlank()).toList());
    } finally {
      gw.vertx().close().await();
    }
  }

  @Test
  void withEveryEndpointDownTheConnectionIsClosed() throws Exception {
    int port = Ports.free();
    GatewayCommand.Running gw = GatewayCommand.start(List.of("start", "--endpoints", "127.0.0.1:" + Ports.free(),
        "--listen-addr=127.0.0.1:" + port));
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(10_000);
      InputStream in = s.getInputStream();
      assertEquals(-1, in.read(), "the gateway closes a connection it cannot place");
    } finally {
      gw.vertx().close().await();
    }
  }

  @Test
  void anEndpointOnTheListenAddressIsRefusedAsEtcdDoes() {
    int port = Ports.free();
    ConfigException e = assertThrows(ConfigException.class, () -> GatewayCommand.start(List.of("start",
        "--endpoints", "127.0.0.1:" + port, "--listen-addr", "127.0.0.1:" + port)));
    assertTrue(e.getMessage().contains("should not resolve to the gateway listen addr"), e.getMessage());
  }

  @Test
  void schemesAreStrippedBecauseTheGatewayOnlyMovesBytes() {
    assertEquals("10.0.0.1:2379", GatewayCommand.stripScheme("https://10.0.0.1:2379"));
    assertEquals("10.0.0.1:2379", GatewayCommand.stripScheme("10.0.0.1:2379"));
  }
}
