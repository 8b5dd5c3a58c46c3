package io.vetcd.proxy;

import io.vertx.core.Vertx;
import io.vetcd.config.ConfigLoader;
import io.vetcd.config.EtcdConfig;
import io.vetcd.testing.Cli;
import io.vetcd.testing.InJvmMember;
import io.vetcd.testing.Ports;
import io.vetcd.testing.TempDirs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The config's {@code proxy: on|readonly} (etcd's v2 proxy mapped onto the v3 API): a real member, and proxies
 * started from etcd flags and from a sectioned etcd.conf that name only the member's peer URL; etcdctl goes
 * through them.
 */
class ProxyModeTest {
  static InJvmMember member;
  static Path dir;
  static Vertx configVertx;
  static GrpcProxyCommand.Running on;
  static GrpcProxyCommand.Running readOnly;
  static String onEp;
  static String readOnlyEp;

  @BeforeAll
  static void start() throws Exception {
    dir = TempDirs.create("vetcd-proxymode");
    member = InJvmMember.start(dir.resolve("member"), Ports.free(), Ports.free());
    configVertx = Vertx.vertx();
    int onPort = Ports.free();
    onEp = "127.0.0.1:" + onPort;
    EtcdConfig onCfg = ConfigLoader.loadSync(configVertx, List.of("--proxy", "on",
        "--initial-cluster", "test=http://127.0.0.1:" + member.peerPort,
        "--listen-client-urls", "http://" + onEp, "--data-dir", dir.resolve("proxy-on").toString()), Map.of());
    on = ProxyMode.start(onCfg);

    int roPort = Ports.free();
    readOnlyEp = "127.0.0.1:" + roPort;
    Path conf = Files.writeString(dir.resolve("etcd.conf"), String.join("\n",
        "#[Member]",
        "ETCD_DATA_DIR=\"" + dir.resolve("proxy-ro") + "\"",
        "ETCD_LISTEN_CLIENT_URLS=\"http://" + readOnlyEp + "\"",
        "#[Clustering]",
        "ETCD_INITIAL_CLUSTER=\"test=http://127.0.0.1:" + member.peerPort + "\"",
        "#[Proxy]",
        "ETCD_PROXY=\"readonly\"",
        "ETCD_PROXY_FAILURE_WAIT=\"2000\"",
        "ETCD_PROXY_REFRESH_INTERVAL=\"500\"",
        "ETCD_PROXY_DIAL_TIMEOUT=\"800\"",
        ""));
    EtcdConfig roCfg = ConfigLoader.loadSync(configVertx, List.of("-conf", conf.toString()), Map.of());
    assertEquals("readonly", roCfg.proxy().proxy());
    assertEquals(500, roCfg.proxy().proxyRefreshIntervalMs());
    readOnly = ProxyMode.start(roCfg);
  }

  @AfterAll
  static void stop() {
    if (on != null) on.vertx().close().await();
    if (readOnly != null) readOnly.vertx().close().await();
    if (configVertx != null) configVertx.close().await();
    if (member != null) member.close();
    TempDirs.delete(dir);
  }

  @Test
  void proxyOnForwardsWritesAndReads() {
    Cli.Result put = Cli.etcdctl(onEp, "put", "pm/a", "1");
    assertEquals(0, put.exitCode(), put.output());
    assertEquals("OK", put.output().trim());
    assertEquals("pm/a\n1", Cli.etcdctl(member.endpoint(), "get", "pm/a").output().trim());
    assertEquals("pm/a\n1", Cli.etcdctl(onEp, "get", "pm/a").output().trim());
    Cli.Result txn = Cli.etcdctlWithInput(onEp, "value(\"pm/a\") = \"1\"\n\nput pm/b 2\n\n\n", "txn");
    assertEquals("SUCCESS\n\nOK", txn.output().trim(), txn.output());
    Cli.Result del = Cli.etcdctl(onEp, "del", "pm/b");
    assertEquals("1", del.output().trim(), del.output());
  }

  @Test
  void readOnlyServesReadsAndRefusesWrites() {
    assertEquals(0, Cli.etcdctl(member.endpoint(), "put", "ro/k", "v").exitCode());
    assertEquals("ro/k\nv", Cli.etcdctl(readOnlyEp, "get", "ro/k").output().trim());
    // a Txn that only reads is a read
    Cli.Result readTxn = Cli.etcdctlWithInput(readOnlyEp, "value(\"ro/k\") = \"v\"\n\nget ro/k\n\n\n", "txn");
    assertEquals(0, readTxn.exitCode(), readTxn.output());
    assertTrue(readTxn.output().startsWith("SUCCESS"), readTxn.output());

    for (List<String> write : List.of(List.of("put", "ro/k", "w"), List.of("del", "ro/k"),
        List.of("lease", "grant", "60"), List.of("compact", "1"), List.of("user", "add", "bob:pw"),
        List.of("member", "remove", "1234"))) {
      Cli.Result r = Cli.etcdctl(readOnlyEp, write.toArray(String[]::new));
      assertNotEquals(0, r.exitCode(), write + ": " + r.output());
      assertTrue(r.output().contains("read-only"), write + ": " + r.output());
    }
    Cli.Result writeTxn = Cli.etcdctlWithInput(readOnlyEp, "\n\nput ro/k w\n\n", "txn");
    assertNotEquals(0, writeTxn.exitCode(), writeTxn.output());
    assertTrue(writeTxn.output().contains("read-only"), writeTxn.output());
    // nothing reached the member
    assertEquals("ro/k\nv", Cli.etcdctl(member.endpoint(), "get", "ro/k").output().trim());
    // member list and endpoint status are reads
    assertEquals(0, Cli.etcdctl(readOnlyEp, "member", "list").exitCode());
    assertEquals(0, Cli.etcdctl(readOnlyEp, "endpoint", "status").exitCode());
  }

  @Test
  void readOnlyWatchSeesTheMembersWrites() throws Exception {
    List<String> cmd = List.of("etcdctl", "--endpoints", readOnlyEp, "watch", "rw/k");
    Process watch = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    try {
      String got = "";
      long deadline = System.nanoTime() + 15_000_000_000L;
      byte[] buf = new byte[4096];
      var in = watch.getInputStream();
      int n = 0;
      while (System.nanoTime() < deadline && !got.contains("rw/k\nv" + n)) {
        n++;
        Cli.etcdctl(member.endpoint(), "put", "rw/k", "v" + n);
        Thread.sleep(300);
        while (in.available() > 0) got += new String(buf, 0, in.read(buf));
      }
      assertTrue(got.contains("PUT\nrw/k\nv"), got);
    } finally {
      watch.destroy();
      watch.waitFor();
    }
  }
}
