package io.vetcd.raft;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Committed entries per second of a 3-member cluster running entirely in memory: raft logic, the
 * Ready/persist/apply/advance loop over {@link MemoryStorage}, and the simulator's network with no
 * faults (every message delivered after one time unit). One benchmark op = one committed entry, so
 * the score reads directly as entries/s. Each invocation proposes a batch on the leader and drives
 * the cluster until the leader has applied it.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class ClusterThroughputBenchmark {
    private static final int NODES = 3;

    private final TreeMap<Long, RaftNode> nodes = new TreeMap<>();
    private final TreeMap<Long, MemoryStorage> storages = new TreeMap<>();
    private SimNetwork net;
    private long now;
    private RaftNode leader;
    private List<byte[]> batch1;
    private List<byte[]> batch64;
    private long appliedEntries;

    @Setup(Level.Trial)
    public void setUp() {
        net = new SimNetwork(new SplittableRandom(1), 0, 0, 1, 0);
        List<Long> ids = new ArrayList<>();
        for (long id = 1; id <= NODES; id++) ids.add(id);
        for (long id : ids) {
            MemoryStorage st = new MemoryStorage();
            RaftNode n = new RaftNode(RaftConfig.defaults(id, new SplittableRandom(id)).withLimits(1 << 20, 256), st);
            n.bootstrap(ids);
            nodes.put(id, n);
            storages.put(id, st);
        }
        step(); // persist and apply the bootstrap entries: no campaign while conf changes are unapplied
        nodes.get(1L).campaign();
        for (int i = 0; i < 100 && !nodes.get(1L).isLeader(); i++) step();
        leader = nodes.get(1L);
        if (!leader.isLeader()) throw new IllegalStateException("no leader");
        byte[] payload = new byte[64]; // a small etcd put
        batch1 = List.of(payload);
        batch64 = new ArrayList<>();
        for (int i = 0; i < 64; i++) batch64.add(payload);
    }

    @Benchmark
    @OperationsPerInvocation(1)
    public long batch1() { return proposeAndCommit(batch1); }

    @Benchmark
    @OperationsPerInvocation(64)
    public long batch64() { return proposeAndCommit(batch64); }

    private long proposeAndCommit(List<byte[]> batch) {
        long target = leader.lastIndex() + batch.size();
        leader.proposeBatch(batch);
        while (leader.appliedIndex() < target) step();
        return appliedEntries;
    }

    /** Handles every Ready, then advances network time by one unit and delivers what is due. */
    private void step() {
        for (var e : nodes.entrySet()) {
            RaftNode n = e.getValue();
            while (n.hasReady()) {
                Ready rd = n.ready();
                MemoryStorage st = storages.get(e.getKey());
                if (rd.snapshot() != null) st.applySnapshot(rd.snapshot());
                st.append(rd.entries());
                if (rd.hardState() != null) st.setHardState(rd.hardState());
                for (Message m : rd.messages()) net.send(m, now);
                appliedEntries += rd.committedEntries().size();
                n.advance(rd);
                long applied = n.appliedIndex();
                // Keep memory flat: snapshot and compact like a server would.
                if (applied - st.firstIndex() > 100_000) {
                    st.createSnapshot(applied, n.confState(), new byte[0]);
                    st.compact(applied);
                }
            }
        }
        now++;
        for (Message m : net.due(now)) nodes.get(m.to()).step(m);
    }
}
