package io.vetcd.testing;

import io.vertx.core.Vertx;
import io.vetcd.config.ConfigLoader;
import io.vetcd.config.EtcdConfig;
import io.vetcd.lease.LeaseClock;
import io.vetcd.node.VetcdNode;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A single vetcd member inside the test JVM, on free loopback ports and a temporary data dir. */
public final class InJvmMember implements AutoCloseable {
    public final Vertx vertx;
    public final int clientPort;
    public final int peerPort;
    public final Path dataDir;
    public final VetcdNode node;

    private InJvmMember(Vertx vertx, int clientPort, int peerPort, Path dataDir, VetcdNode node) {
        this.vertx = vertx;
        this.clientPort = clientPort;
        this.peerPort = peerPort;
        this.dataDir = dataDir;
        this.node = node;
    }

    public static InJvmMember start(String... extraFlags) throws Exception {
        return start(TempDirs.create("vetcd-test"), Ports.free(), Ports.free(), extraFlags);
    }

    public static InJvmMember start(Path dataDir, int clientPort, int peerPort, String... extraFlags) throws Exception {
        return start("test", dataDir, clientPort, peerPort, "test=http://127.0.0.1:" + peerPort, extraFlags);
    }

    /** A member of a cluster: {@code initialCluster} as etcd's --initial-cluster. */
    public static InJvmMember start(String name, Path dataDir, int clientPort, int peerPort, String initialCluster,
                                    String... extraFlags) throws Exception {
        return start(LeaseClock.SYSTEM, name, dataDir, clientPort, peerPort, initialCluster, extraFlags);
    }

    /** A single member whose leases expire on {@code leaseClock} (e.g. an {@link OffsetLeaseClock} a test moves). */
    public static InJvmMember start(LeaseClock leaseClock, Path dataDir, int clientPort, int peerPort, String... extraFlags)
            throws Exception {
        return start(leaseClock, "test", dataDir, clientPort, peerPort, "test=http://127.0.0.1:" + peerPort, extraFlags);
    }

    private static InJvmMember start(LeaseClock leaseClock, String name, Path dataDir, int clientPort, int peerPort,
                                     String initialCluster, String... extraFlags) throws Exception {
        Vertx vertx = Vertx.vertx();
        List<String> args = new ArrayList<>(List.of(
            "--name", name,
            "--data-dir", dataDir.toString(),
            "--listen-client-urls", "http://127.0.0.1:" + clientPort,
            "--advertise-client-urls", "http://127.0.0.1:" + clientPort,
            "--listen-peer-urls", "http://127.0.0.1:" + peerPort,
            "--initial-advertise-peer-urls", "http://127.0.0.1:" + peerPort,
            "--initial-cluster", initialCluster,
            "--initial-cluster-token", "in-jvm",
            "--vertx-client-instances", "2", "--vertx-peer-instances", "1"));
        args.addAll(List.of(extraFlags));
        EtcdConfig cfg = ConfigLoader.load(vertx, args, Map.of()).await();
        VetcdNode node = VetcdNode.start(vertx, cfg, leaseClock).await();
        return new InJvmMember(vertx, clientPort, peerPort, dataDir, node);
    }

    public String endpoint() {
        return "http://127.0.0.1:" + clientPort;
    }

    /** Stops the member but keeps its data dir, so a test can start it again. */
    public void stop() {
        try {
            node.stop().await();
        } finally {
            vertx.close().await();
        }
    }

    @Override
    public void close() {
        stop();
    }
}
