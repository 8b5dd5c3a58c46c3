package io.vetcd.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** N members in the test JVM, each with its own Vert.x, ports and data dir, forming one cluster. */
public final class InJvmCluster implements AutoCloseable {
    public final List<InJvmMember> members = new ArrayList<>();
    public final String initialCluster;
    private final int[] clientPorts;
    private final int[] peerPorts;
    private final Path[] dirs;

    private final String[] flags;

    private InJvmCluster(int n, String... flags) throws Exception {
        this.flags = flags;
        clientPorts = new int[n];
        peerPorts = new int[n];
        dirs = new Path[n];
        StringBuilder ic = new StringBuilder();
        for (int i = 0; i < n; i++) {
            clientPorts[i] = Ports.free();
            peerPorts[i] = Ports.free();
            dirs[i] = TempDirs.create("vetcd-cluster-m" + i);
            if (i > 0) ic.append(',');
            ic.append("m").append(i).append("=http://127.0.0.1:").append(peerPorts[i]);
        }
        initialCluster = ic.toString();
    }

    /** Starts all members at once: none is ready before a leader exists. */
    public static InJvmCluster start(int n, String... flags) throws Exception {
        InJvmCluster c = new InJvmCluster(n, flags);
        List<CompletableFuture<InJvmMember>> starting = new ArrayList<>();
        for (int i = 0; i < n; i++) starting.add(c.startMemberAsync(i));
        for (var f : starting) c.members.add(f.get(60, TimeUnit.SECONDS));
        return c;
    }

    private CompletableFuture<InJvmMember> startMemberAsync(int i) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return InJvmMember.start("m" + i, dirs[i], clientPorts[i], peerPorts[i], initialCluster, flags);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /** Restarts member i (stopped earlier) on its data dir; it rejoins with what it had. */
    public InJvmMember restart(int i) throws Exception {
        InJvmMember m = startMemberAsync(i).get(60, TimeUnit.SECONDS);
        members.set(i, m);
        return m;
    }

    public String endpoints() {
        StringBuilder b = new StringBuilder();
        for (InJvmMember m : members) {
            if (b.length() > 0) b.append(',');
            b.append(m.endpoint());
        }
        return b.toString();
    }

    /** The index of the member that is leader, or -1. */
    public int leader() {
        for (int i = 0; i < members.size(); i++) {
            InJvmMember m = members.get(i);
            if (m != null && m.node.server().core().isLeader()) return i;
        }
        return -1;
    }

    @Override
    public void close() {
        for (InJvmMember m : members) {
            try {
                if (m != null) m.close();
            } catch (RuntimeException ignored) {
                // already stopped
            }
        }
    }
}
