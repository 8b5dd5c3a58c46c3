package io.vetcd.raft;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * A small, fully controlled cluster for rule-by-rule unit tests: messages go through one FIFO queue
 * and are delivered only when the test calls {@link #stabilize()}; links can be cut and individual
 * messages filtered. Each node's storage survives {@link #crash}; everything else is lost.
 */
final class TestCluster {
    final Map<Long, MemoryStorage> storages = new TreeMap<>();
    final Map<Long, RaftNode> nodes = new TreeMap<>();
    final Map<Long, List<Entry>> applied = new TreeMap<>();
    final Map<Long, List<ReadState>> reads = new TreeMap<>();
    final List<Message> delivered = new ArrayList<>();
    private final ArrayDeque<Message> queue = new ArrayDeque<>();
    private final Set<Long> cuts = new HashSet<>();
    private final Function<Long, RaftConfig> configs;
    /** Messages matching this are dropped. */
    Predicate<Message> drop = m -> false;

    TestCluster(int n) { this(n, id -> RaftConfig.defaults(id, new SplittableRandom(id))); }

    TestCluster(int n, Function<Long, RaftConfig> configs) {
        this.configs = configs;
        List<Long> ids = new ArrayList<>();
        for (long i = 1; i <= n; i++) ids.add(i);
        // Membership goes in the log (entries 1..n), so nodes added later learn it by replication.
        for (long id : ids) add(id, new MemoryStorage()).bootstrap(ids);
        stabilize();
    }

    MemoryStorage storage(long id) { return storages.get(id); }

    /** Adds a node process over {@code storage} (use an empty one for a member joining later). */
    RaftNode add(long id, MemoryStorage storage) {
        storages.put(id, storage);
        RaftNode n = new RaftNode(configs.apply(id), storage);
        nodes.put(id, n);
        applied.put(id, new ArrayList<>());
        reads.put(id, new ArrayList<>());
        return n;
    }

    RaftNode node(long id) { return nodes.get(id); }

    void crash(long id) {
        nodes.remove(id);
    }

    RaftNode restart(long id) {
        RaftNode n = new RaftNode(configs.apply(id), storages.get(id));
        nodes.put(id, n);
        applied.put(id, new ArrayList<>());
        return n;
    }

    void isolate(long id) {
        for (long o : storages.keySet()) {
            if (o == id) continue;
            cut(id, o);
            cut(o, id);
        }
    }

    void cut(long from, long to) { cuts.add(from * 1000 + to); }

    void heal() {
        cuts.clear();
        drop = m -> false;
    }

    /** Processes Readies and delivers messages until the cluster is quiet. */
    void stabilize() {
        for (int i = 0; i < 10_000; i++) {
            boolean progress = false;
            for (Map.Entry<Long, RaftNode> e : nodes.entrySet()) {
                if (e.getValue().hasReady()) {
                    handleReady(e.getKey(), e.getValue());
                    progress = true;
                }
            }
            while (!queue.isEmpty()) {
                Message m = queue.poll();
                progress = true;
                if (cuts.contains(m.from() * 1000 + m.to()) || drop.test(m)) continue;
                RaftNode to = nodes.get(m.to());
                if (to == null) continue;
                delivered.add(m);
                to.step(m);
            }
            if (!progress) return;
        }
        throw new IllegalStateException("cluster did not stabilize");
    }

    private void handleReady(long id, RaftNode n) {
        Ready rd = n.ready();
        MemoryStorage st = storages.get(id);
        if (rd.snapshot() != null) st.applySnapshot(rd.snapshot());
        st.append(rd.entries());
        if (rd.hardState() != null) st.setHardState(rd.hardState());
        queue.addAll(rd.messages());
        for (Entry e : rd.committedEntries()) {
            applied.get(id).add(e);
            if (e.type() == EntryType.CONF_CHANGE) n.applyConfChange(ConfChange.decode(e.data()));
        }
        reads.get(id).addAll(rd.readStates());
        n.advance(rd);
    }

    void tick(long id, int times) {
        for (int i = 0; i < times; i++) {
            nodes.get(id).tick();
            stabilize();
        }
    }

    void tickAll(int times) {
        for (int i = 0; i < times; i++) {
            for (RaftNode n : nodes.values()) n.tick();
            stabilize();
        }
    }

    /** Campaigns on {@code id} and delivers everything. */
    void elect(long id) {
        nodes.get(id).campaign();
        stabilize();
    }

    long leader() {
        long leader = 0, term = -1;
        for (Map.Entry<Long, RaftNode> e : nodes.entrySet()) {
            if (e.getValue().isLeader() && e.getValue().term() > term) {
                leader = e.getKey();
                term = e.getValue().term();
            }
        }
        return leader;
    }

    List<byte[]> appliedData(long id) {
        List<byte[]> out = new ArrayList<>();
        for (Entry e : applied.get(id)) if (e.type() == EntryType.NORMAL && e.data().length > 0) out.add(e.data());
        return out;
    }

    List<String> appliedStrings(long id) {
        List<String> out = new ArrayList<>();
        for (byte[] d : appliedData(id)) out.add(new String(d, java.nio.charset.StandardCharsets.UTF_8));
        return out;
    }

    static byte[] bytes(String s) { return s.getBytes(java.nio.charset.StandardCharsets.UTF_8); }
}
