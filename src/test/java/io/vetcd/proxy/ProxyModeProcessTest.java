package io.vetcd.proxy;

import io.vetcd.testing.Cli;
import io.vetcd.testing.Ports;
import io.vetcd.testing.ServerProcess;
import io.vetcd.testing.TempDirs;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The launcher with a sectioned etcd.conf saying {@code ETCD_PROXY="readonly"}, in its own process, in front of a
 * real etcd 3.4 (found through etcd's own peer {@code /members}): it starts a proxy, not a member, prints etcd's
 * proxy start lines, serves reads, refuses writes, and exits 0 on SIGTERM.
 */
class ProxyModeProcessTest {

  @Test
  void readOnlyProxyFromEtcdConfInFrontOfRealEtcd() throws Exception {
    Path dir = TempDirs.create("vetcd-proxymode-proc");
    Process proxy = null;
    try (ServerProcess etcd = ServerProcess.realEtcd()) {
      assertEquals(0, Cli.etcdctl(etcd.endpoint(), "put", "k", "from-etcd").exitCode());
      String ep = "127.0.0.1:" + Ports.free();
      Path conf = Files.writeString(dir.resolve("etcd.conf"), String.join("\n",
          "#[Member]",
          "ETCD_NAME=\"proxy1\"",
          "ETCD_DATA_DIR=\"" + dir.resolve("data") + "\"",
          "ETCD_LISTEN_CLIENT_URLS=\"http://" + ep + "\"",
          "#[Clustering]",
          "ETCD_INITIAL_CLUSTER=\"node1=http://127.0.0.1:" + etcd.peerPort + "\"",
          "#[Proxy]",
          "ETCD_PROXY=\"readonly\"",
          ""));
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      proxy = new ProcessBuilder(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
          "io.vetcd.node.Launcher", "-conf", conf.toString()).redirectErrorStream(true).start();
      StringBuffer log = new StringBuffer();
      CountDownLatch ready = new CountDownLatch(1);
      Process p = proxy;
      Thread reader = new Thread(() -> {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
          String line;
          while ((line = r.readLine()) != null) {
            log.append(line).append('\n');
            if (line.contains("v2 proxy started listening on client requests")) ready.countDown();
          }
        } catch (java.io.IOException ignored) {
          // process gone
        }
      }, "proxy-output");
      reader.setDaemon(true);
      reader.start();
      assertTrue(ready.await(60, TimeUnit.SECONDS), "proxy did not start:\n" + log);
      assertTrue(log.toString().contains("v2 API proxy starting"), log.toString());
      assertTrue(log.toString().contains("proxy using peer URLS"), log.toString());
      assertTrue(!log.toString().contains("ready to serve client requests"), "a member started:\n" + log);

      assertEquals("k\nfrom-etcd", Cli.etcdctl(ep, "get", "k").output().trim());
      Cli.Result put = Cli.etcdctl(ep, "put", "k", "x");
      assertNotEquals(0, put.exitCode(), put.output());
      assertTrue(put.output().contains("read-only"), put.output());
      assertEquals("k\nfrom-etcd", Cli.etcdctl(etcd.endpoint(), "get", "k").output().trim());

      proxy.destroy(); // SIGTERM
      assertTrue(proxy.waitFor(30, TimeUnit.SECONDS), log.toString());
      assertEquals(0, proxy.exitValue(), log.toString());
    } finally {
      if (proxy != null && proxy.isAlive()) {
        proxy.destroyForcibly();
        proxy.waitFor(10, TimeUnit.SECONDS);
      }
      TempDirs.delete(dir);
    }
  }
}
