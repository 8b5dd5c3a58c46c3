package io.vetcd.proxy;

import io.vetcd.testing.Cli;
import io.vetcd.testing.InJvmMember;
import io.vetcd.testing.Ports;
import io.vetcd.testing.TempDirs;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * --experimental-serializable-ordering: a read never goes back in revision. The proxy's second endpoint is a member
 * far behind the first (a separate single-member cluster stands in for a lagging follower); once the first is gone,
 * the ordered proxy refuses to answer from the stale one with etcd's ErrNoGreaterRev, while a proxy without the flag
 * answers from it.
 */
class GrpcProxyOrderingTest {

  @Test
  void aReadFromAMemberBehindTheLastSeenRevisionIsRefused() throws Exception {
    Path da = TempDirs.create("vetcd-order-a");
    Path db = TempDirs.create("vetcd-order-b");
    InJvmMember ahead = InJvmMember.start(da, Ports.free(), Ports.free());
    try (InJvmMember behind = InJvmMember.start(db, Ports.free(), Ports.free())) {
      for (int i = 0; i < 20; i++) Cli.etcdctl(ahead.endpoint(), "put", "k", "v" + i);
      String ordered = "127.0.0.1:" + Ports.free();
      String plain = "127.0.0.1:" + Ports.free();
      String eps = ahead.endpoint() + "," + behind.endpoint();
      GrpcProxyCommand.Running po = GrpcProxyCommand.start(List.of("start", "--endpoints", eps, "--listen-addr", ordered,
          "--experimental-serializable-ordering"));
      GrpcProxyCommand.Running pp = GrpcProxyCommand.start(List.of("start", "--endpoints", eps, "--listen-addr", plain));
      try {
        assertEquals("v19", Cli.etcdctl(ordered, "get", "k", "--print-value-only", "--consistency=s").output().trim());
        assertEquals("v19", Cli.etcdctl(plain, "get", "k", "--print-value-only", "--consistency=s").output().trim());
        ahead.close();
        Cli.Result r = Cli.etcdctl(ordered, "get", "k", "--consistency=s");
        assertNotEquals(0, r.exitCode(), r.output());
        assertTrue(r.output().contains(OrderedRanges.NO_GREATER_REV), r.output());
        Cli.Result stale = Cli.etcdctl(plain, "get", "k", "--consistency=s", "-w", "json");
        assertEquals(0, stale.exitCode(), "without the flag the stale member answers: " + stale.output());
      } finally {
        po.vertx().close().await();
        pp.vertx().close().await();
      }
    } finally {
      try {
        ahead.close();
      } catch (RuntimeException alreadyStopped) {
        // stopped in the test
      }
      TempDirs.delete(da);
      TempDirs.delete(db);
    }
  }
}
