package io.vetcd.proxy;

import io.vetcd.testing.Cli;
import io.vetcd.testing.Eventually;
import io.vetcd.testing.InJvmMember;
import io.vetcd.testing.Ports;
import io.vetcd.testing.TempDirs;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * --resolver-prefix/--resolver-ttl: proxies sharing a prefix register under a lease and each answers MemberList with
 * all of them. One of the proxies is etcd 3.4's own grpc-proxy (/usr/bin/etcd), so the registration format is
 * checked against etcd's in both directions; a proxy that stops drops out when its lease expires.
 */
class GrpcProxyRegistrationTest {

  @Test
  void proxiesSharingAPrefixListEachOtherAndAStoppedOneDropsOut() throws Exception {
    Path dir = TempDirs.create("vetcd-proxy-reg");
    try (InJvmMember member = InJvmMember.start(dir, Ports.free(), Ports.free())) {
      String a = "127.0.0.1:" + Ports.free();
      String b = "127.0.0.1:" + Ports.free();
      String etcdProxy = "127.0.0.1:" + Ports.free();
      GrpcProxyCommand.Running pa = GrpcProxyCommand.start(List.of("start", "--endpoints", member.endpoint(),
          "--listen-addr", a, "--advertise-client-url", a, "--resolver-prefix", "proxies", "--resolver-ttl", "2"));
      GrpcProxyCommand.Running pb = GrpcProxyCommand.start(List.of("start", "--endpoints", member.endpoint(),
          "--listen-addr", b, "--advertise-client-url", b, "--resolver-prefix", "proxies", "--resolver-ttl", "2"));
      Process real = null;
      try {
        if (new java.io.File("/usr/bin/etcd").canExecute()) {
          real = new ProcessBuilder("/usr/bin/etcd", "grpc-proxy", "start", "--endpoints", member.endpoint(),
              "--listen-addr", etcdProxy, "--advertise-client-url", etcdProxy, "--resolver-prefix", "proxies",
              "--resolver-ttl", "2").redirectErrorStream(true).redirectOutput(dir.resolve("etcd-proxy.log").toFile()).start();
        }
        boolean withReal = real != null;
        Eventually.until("both vetcd proxies (and etcd's) registered", Duration.ofSeconds(30), () -> {
          String keys = Cli.etcdctl(member.endpoint(), "get", "proxies/", "--prefix", "--keys-only").output();
          return keys.contains("proxies/" + a) && keys.contains("proxies/" + b) && (!withReal || keys.contains("proxies/" + etcdProxy));
        });
        String value = Cli.etcdctl(member.endpoint(), "get", "proxies/" + a, "--print-value-only").output().trim();
        assertTrue(value.startsWith("{\"Op\":0,\"Addr\":\"" + a + "\",\"Metadata\":\"{\\\"name\\\":"), value);

        String viaA = Cli.etcdctl(a, "member", "list").output();
        assertTrue(viaA.contains(a) && viaA.contains(b), viaA);
        if (withReal) {
          assertTrue(viaA.contains(etcdProxy), "vetcd's proxy reads etcd's registration: " + viaA);
          String viaReal = Cli.etcdctl(etcdProxy, "member", "list").output();
          assertTrue(viaReal.contains(a) && viaReal.contains(b), "etcd's proxy reads vetcd's registrations: " + viaReal);
        }

        pb.registration().stop();
        pb.vertx().close().await();
        Eventually.until("the stopped proxy's lease expired", Duration.ofSeconds(20),
            () -> !Cli.etcdctl(a, "member", "list").output().contains(b));
      } finally {
        if (real != null) {
          real.destroy();
          real.waitFor(10, TimeUnit.SECONDS);
        }
        pa.vertx().close().await();
      }
    } finally {
      TempDirs.delete(dir);
    }
  }
}
