package io.vetcd.proxy;

import io.vetcd.config.ConfigException;
import io.vetcd.config.EarlyExit;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** grpc-proxy start's flag checks, with etcd's messages (compared with /usr/bin/etcd grpc-proxy start). */
class GrpcProxyFlagsTest {
  static final String FIXTURES = "/usr/share/gocode/src/go.etcd.io/etcd/integration/fixtures/";

  static String refusal(String... args) {
    return assertThrows(ConfigException.class, () -> GrpcProxyCommand.parse(List.of(args))).getMessage();
  }

  @Test
  void aClientCertificateWithACommonNameIsRefused() {
    assertEquals("cert has non empty Common Name (example2.com)", refusal("start", "--cert", FIXTURES + "server2.crt",
        "--key", FIXTURES + "server2.key.insecure", "--cacert", FIXTURES + "ca.crt"));
    // server3.crt has no CN: accepted
    GrpcProxySettings s = GrpcProxyCommand.parse(List.of("start", "--cert", FIXTURES + "server3.crt",
        "--key", FIXTURES + "server3.key.insecure", "--cacert", FIXTURES + "ca.crt"));
    assertTrue(s.endpoints().get(0).tls(), "client TLS files make a bare host:port endpoint TLS");
  }

  @Test
  void defaultsAreEtcds() {
    GrpcProxySettings s = GrpcProxyCommand.parse(List.of("start"));
    assertEquals("127.0.0.1:23790", s.listenAddr());
    assertEquals("127.0.0.1:23790", s.advertiseClientUrl());
    assertEquals(List.of(new UpstreamEndpoint("127.0.0.1", 2379, false)), s.endpoints());
    assertFalse(s.listenerTls().enabled());
  }

  @Test
  void resolverFlagsAreCheckedTogether() {
    assertEquals("invalid resolver-ttl 0", refusal("start", "--resolver-prefix", "p"));
    assertEquals("invalid resolver-prefix \"\"", refusal("start", "--resolver-ttl", "5"));
  }

  @Test
  void whatVetcdCannotDoIsRefusedClearly() {
    assertTrue(refusal("start", "--enable-pprof").contains("--enable-pprof is not supported"));
    assertEquals("tenant/", GrpcProxyCommand.parse(List.of("start", "--namespace", "tenant/")).namespace());
    assertTrue(refusal("start", "--experimental-leasing-prefix", "l/").contains("not supported"));
  }

  @Test
  void cipherSuitesAreValidatedAndAnEmptyListIsNone() {
    assertEquals(List.of(), GrpcProxyCommand.parse(List.of("start", "--listen-cipher-suites", "")).listenerTls().cipherSuites());
    assertEquals(2, GrpcProxyCommand.parse(List.of("start", "--listen-cipher-suites",
        "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305")).listenerTls().cipherSuites().size());
    assertEquals("unexpected TLS cipher suite \"NOPE\"", refusal("start", "--listen-cipher-suites", "NOPE"));
  }

  @Test
  void flagsMayComeBeforeOrAfterStartAndUnknownOnesAreRefused() {
    assertEquals(1234, GrpcProxyCommand.parse(List.of("--listen-addr=127.0.0.1:1234", "start")).listenPort());
    assertEquals("unknown flag: --bogus", refusal("start", "--bogus"));
    assertThrows(EarlyExit.class, () -> GrpcProxyCommand.parse(List.of("start", "--help")));
    assertThrows(EarlyExit.class, () -> GrpcProxyCommand.parse(List.of()));
  }
}
