package io.vetcd.gateway;

import io.vetcd.config.ConfigException;
import io.vetcd.proxy.GrpcProxyCommand;
import io.vetcd.testing.Cli;
import io.vetcd.testing.InJvmMember;
import io.vetcd.testing.Ports;
import io.vetcd.testing.TempDirs;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * --discovery-srv for the gateway and the grpc-proxy, answered by a DNS server on loopback
 * ({@link SrvRecordServer}); the lookups go through the real JNDI DNS resolver.
 */
class SrvDiscoveryTest {

  @Test
  void gatewayAndProxyFindTheMemberFromSrvRecords() throws Exception {
    Path dir = TempDirs.create("vetcd-srv");
    try (InJvmMember member = InJvmMember.start(dir, Ports.free(), Ports.free());
         SrvRecordServer dns = new SrvRecordServer(Map.of(
             "_etcd-client._tcp.example.test", List.of(new SrvRecordServer.Srv(0, 0, member.clientPort, "localhost")),
             "_etcd-client-edge._tcp.example.test", List.of(new SrvRecordServer.Srv(0, 0, member.clientPort, "localhost"))))) {
      System.setProperty("vetcd.dns.server", "127.0.0.1:" + dns.port());
      try {
        assertEquals(List.of("http://localhost:" + member.clientPort),
            SrvDiscovery.clientEndpoints("example.test", "", true));
        assertEquals(List.of(), SrvDiscovery.clientEndpoints("example.test", "", false),
            "without --insecure-discovery only https (_etcd-client-ssl) endpoints are kept");
        assertEquals(List.of("http://localhost:" + member.clientPort),
            SrvDiscovery.clientEndpoints("example.test", "edge", true), "--discovery-srv-name appends -NAME");

        int gwPort = Ports.free();
        GatewayCommand.Running gw = GatewayCommand.start(List.of("start", "--discovery-srv", "example.test",
            "--insecure-discovery", "--listen-addr", "127.0.0.1:" + gwPort));
        try {
          Cli.Result put = Cli.etcdctl("127.0.0.1:" + gwPort, "put", "srv", "gw");
          assertEquals("OK", put.output().trim(), put.output());
        } finally {
          gw.vertx().close().await();
        }
        String proxyEp = "127.0.0.1:" + Ports.free();
        GrpcProxyCommand.Running proxy = GrpcProxyCommand.start(List.of("start", "--discovery-srv", "example.test",
            "--insecure-discovery", "--listen-addr", proxyEp));
        try {
          assertEquals("gw", Cli.etcdctl(proxyEp, "get", "srv", "--print-value-only").output().trim());
        } finally {
          proxy.vertx().close().await();
        }

        ConfigException e = assertThrows(ConfigException.class,
            () -> SrvDiscovery.clientEndpoints("nowhere.test", "", true));
        assertTrue(e.getMessage().startsWith("dns lookup errors: "), e.getMessage());
      } finally {
        System.clearProperty("vetcd.dns.server");
      }
    } finally {
      TempDirs.delete(dir);
    }
  }
}
