package io.vetcd.raft;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * A whole cluster in one thread, driven by one seed: nodes, their durable storage, their applications,
 * a faulty network ({@link SimNetwork}) and a chaos schedule (crashes, restarts, partitions, membership
 * changes, leadership transfers, compaction). After every step {@link #check} verifies raft's safety
 * properties; {@link #run} then heals everything and demands liveness.
 *
 * <p>Time: one raft tick is {@link #UNITS_PER_TICK} network time units, so messages can arrive within a
 * tick or several ticks late.
 */
final class Simulation {
    static final int UNITS_PER_TICK = 4;
    static final int MAX_MEMBERS = 7;

    /** Thrown when a property is violated; carries the seed so the failure can be replayed. */
    static final class Violation extends AssertionError {
        Violation(String msg) { super(msg); }
    }

    /** What survives a crash (storage) and what doesn't (the node and its application state). */
    final class SimNode {
        final long id;
        final MemoryStorage storage;
        /** Initial members bootstrap their log; later members start empty and catch up from the leader. */
        final List<Long> bootstrapVoters;
        RaftNode node; // null while crashed
        long appliedIndex;
        long chain; // running hash of everything applied: the application's "state"
        ConfState conf;

        SimNode(long id, MemoryStorage storage, List<Long> bootstrapVoters) {
            this.id = id;
            this.storage = storage;
            this.bootstrapVoters = bootstrapVoters;
        }

        boolean up() { return node != null; }

        void start() {
            node = new RaftNode(baseConfig(id), storage);
            // Like a server finding no WAL: (re)bootstrap if the first write never became durable.
            if (bootstrapVoters != null && storage.lastIndex() == 0) node.bootstrap(bootstrapVoters);
            Snapshot snap = storage.snapshot();
            appliedIndex = snap.index();
            chain = snap.isEmpty() ? 0 : ByteBuffer.wrap(snap.data()).getLong();
            conf = snap.metadata().confState();
        }

        void crash() {
            node = null;
            trace("crash " + id);
        }
    }

    final long seed;
    final SplittableRandom rng;
    final SimNetwork net;
    final TreeMap<Long, SimNode> nodes = new TreeMap<>();
    final boolean preVote;
    final boolean checkQuorum;
    final int electionTick = 10;
    final long maxSizePerMsg;
    final int maxInflight;
    long now; // network time units
    boolean chaosOn = true;
    long ticks;
    long nextNodeId;
    private final ArrayDeque<String> traceBuf;

    // ---- checker state
    private final Map<Long, Long> leaderOfTerm = new HashMap<>();
    private final Map<Long, long[]> leaderLastSeen = new HashMap<>(); // id -> {term, lastIndex, termAtLast, hashAtLast}
    private long[] cTerm = new long[1024], cHash = new long[1024], cChain = new long[1024];
    /** Upper bound on the term in which entry i was committed: the term of the first node to apply it. */
    private long[] cCommitTerm = new long[1024];
    private long maxApplied; // highest index applied anywhere: cTerm etc. are defined for [1, maxApplied]
    private long maxCommitSeen;
    private final Map<IndexTerm, long[]> seenEntries = new HashMap<>(); // log matching: (index,term) -> {hash, prevTerm}
    private ConfState latestConf;
    private long latestConfIndex = -1;

    private record IndexTerm(long index, long term) {}

    // ---- client state
    private long nextWriteId = 1;
    private final LinkedHashMap<Long, Long> pendingWrites = new LinkedHashMap<>(); // writeId -> tick last proposed
    private long committedWrites;
    private long nextReadId = 1;
    private final Map<Long, Long> pendingReads = new HashMap<>(); // readId -> index it must observe
    long readsServed;
    private ConfChange pendingCC;
    private long pendingCCSince;

    Simulation(long seed, boolean trace) {
        this.seed = seed;
        this.rng = new SplittableRandom(seed);
        int[] sizes = {1, 3, 5};
        int n = sizes[(int) Math.floorMod(seed, 3L)];
        this.preVote = rng.nextInt(4) != 0;
        this.checkQuorum = rng.nextInt(4) != 0;
        this.maxSizePerMsg = rng.nextBoolean() ? Long.MAX_VALUE : 64 + rng.nextInt(512);
        this.maxInflight = 1 + rng.nextInt(16);
        double drop = rng.nextDouble() * 0.15;
        double dup = rng.nextDouble() * 0.05;
        int delay = 1 + rng.nextInt(4 * UNITS_PER_TICK);
        this.net = new SimNetwork(rng.split(), drop, dup, delay, 0.05);
        this.traceBuf = trace ? new ArrayDeque<>() : null;
        List<Long> ids = new ArrayList<>();
        for (long i = 1; i <= n; i++) ids.add(i);
        ConfState initial = new ConfState(new java.util.TreeSet<>(ids), null);
        for (long id : ids) {
            SimNode sn = new SimNode(id, new MemoryStorage(), ids);
            nodes.put(id, sn);
            sn.start();
        }
        latestConf = initial;
        latestConfIndex = 0;
        nextNodeId = n + 1;
    }

    RaftConfig baseConfig(long id) {
        return new RaftConfig(id, electionTick, 1, maxSizePerMsg, maxInflight, checkQuorum, preVote, 0, rng.split());
    }

    String describe() {
        return "seed=" + seed + " nodes=" + nodes.size() + " preVote=" + preVote + " checkQuorum=" + checkQuorum
            + " maxInflight=" + maxInflight + " maxSize=" + maxSizePerMsg + " drop=" + String.format("%.3f", net.dropRate)
            + " dup=" + String.format("%.3f", net.dupRate) + " maxDelay=" + net.maxDelay;
    }

    void trace(String s) {
        if (traceBuf == null) return;
        traceBuf.addLast("[t" + ticks + "." + (now % UNITS_PER_TICK) + "] " + s);
        if (traceBuf.size() > 20000) traceBuf.removeFirst();
    }

    String traceDump() { return traceBuf == null ? "(run with trace to see events)" : String.join("\n", traceBuf); }

    private Violation fail(String msg) {
        return new Violation(msg + " [" + describe() + " tick=" + ticks + "]");
    }

    // ------------------------------------------------------------------ scenario

    /** Runs chaos for {@code chaosTicks}, then heals and requires convergence within {@code livenessTicks}. */
    void run(int chaosTicks, int livenessTicks) {
        for (int t = 0; t < chaosTicks; t++) {
            chaos();
            client(true);
            tickOnce();
        }
        heal();
        for (int t = 0; t < livenessTicks; t++) {
            client(false);
            // Applications snapshot periodically; this is routine, not a fault, so it continues after
            // healing (a member added after the last snapshot needs a newer one to join).
            if (t % 25 == 24) for (SimNode sn : nodes.values()) compact(sn);
            tickOnce();
            if (converged()) {
                finalChecks();
                return;
            }
        }
        throw fail("liveness: no convergence " + livenessTicks + " ticks after healing: " + convergenceReport());
    }

    void heal() {
        trace("heal");
        chaosOn = false;
        net.healPartitions();
        net.reliable();
        for (SimNode sn : nodes.values()) if (!sn.up()) restart(sn);
    }

    private void chaos() {
        double r = rng.nextDouble();
        List<SimNode> all = new ArrayList<>(nodes.values());
        SimNode victim = all.get(rng.nextInt(all.size()));
        if (r < 0.012) {
            if (victim.up()) victim.crash();
        } else if (r < 0.05) {
            if (!victim.up()) restart(victim);
        } else if (r < 0.06) {
            trace("isolate " + victim.id);
            net.isolate(victim.id, nodes.keySet());
        } else if (r < 0.07) {
            SimNode other = all.get(rng.nextInt(all.size()));
            trace("cut " + victim.id + "->" + other.id);
            net.cut(victim.id, other.id);
        } else if (r < 0.09) {
            trace("heal partitions");
            net.healPartitions();
        } else if (r < 0.10) {
            proposeConfChange();
        } else if (r < 0.11) {
            SimNode leader = currentLeader();
            if (leader != null) {
                List<Long> voters = new ArrayList<>(leader.node.confState().voters());
                long to = voters.get(rng.nextInt(voters.size()));
                trace("transfer leadership " + leader.id + " -> " + to);
                leader.node.transferLeader(to);
            }
        } else if (r < 0.15) {
            compact(victim);
        } else if (r < 0.155) {
            SimNode c = all.get(rng.nextInt(all.size()));
            if (c.up()) {
                trace("campaign " + c.id);
                c.node.campaign();
            }
        }
    }

    private void restart(SimNode sn) {
        trace("restart " + sn.id);
        sn.start();
    }

    private void compact(SimNode sn) {
        if (!sn.up() || sn.appliedIndex <= sn.storage.snapshot().index()) return;
        long idx = sn.appliedIndex;
        byte[] data = ByteBuffer.allocate(8).putLong(sn.chain).array();
        sn.storage.createSnapshot(idx, sn.conf, data);
        long compactTo = Math.max(sn.storage.firstIndex() - 1, idx - rng.nextInt(4));
        sn.storage.compact(compactTo);
        trace("compact " + sn.id + " snap@" + idx + " compact<" + compactTo);
    }

    private SimNode currentLeader() {
        SimNode best = null;
        for (SimNode sn : nodes.values()) {
            if (sn.up() && sn.node.isLeader() && (best == null || sn.node.term() > best.node.term())) best = sn;
        }
        return best;
    }

    private void proposeConfChange() {
        if (pendingCC != null && ticks - pendingCCSince < 100) return;
        SimNode leader = currentLeader();
        if (leader == null) return;
        ConfState cs = leader.node.confState();
        ConfChange cc;
        int kind = rng.nextInt(4);
        int members = cs.voters().size() + cs.learners().size();
        if (kind == 0 && members < MAX_MEMBERS) {
            cc = new ConfChange(ConfChangeType.ADD_NODE, nextNodeId++);
        } else if (kind == 1 && members < MAX_MEMBERS) {
            cc = new ConfChange(ConfChangeType.ADD_LEARNER_NODE, nextNodeId++);
        } else if (kind == 2 && !cs.learners().isEmpty()) {
            cc = new ConfChange(ConfChangeType.ADD_NODE, cs.learners().first());
        } else if (members > 1) {
            List<Long> ids = new ArrayList<>(cs.voters());
            ids.addAll(cs.learners());
            long victim = ids.get(rng.nextInt(ids.size()));
            // Never remove a voter from one or two voters: with two, the survivor may need the removed
            // node's vote to commit the change (a known hazard of single-step changes; operators avoid it).
            if (cs.voters().size() <= 2 && cs.voters().contains(victim)) return;
            cc = new ConfChange(ConfChangeType.REMOVE_NODE, victim);
        } else {
            return;
        }
        try {
            leader.node.proposeConfChange(cc);
        } catch (ProposalDroppedException e) {
            return;
        }
        trace("propose conf change " + cc.type() + " " + cc.nodeId() + " at " + leader.id);
        pendingCC = cc;
        pendingCCSince = ticks;
        if ((cc.type() == ConfChangeType.ADD_NODE || cc.type() == ConfChangeType.ADD_LEARNER_NODE) && !nodes.containsKey(cc.nodeId())) {
            // Like an operator: register the member, then start its process with an empty log.
            SimNode sn = new SimNode(cc.nodeId(), new MemoryStorage(), null);
            nodes.put(sn.id, sn);
            sn.start();
        }
    }

    private void client(boolean chaos) {
        // New writes at a steady trickle; retries for writes not yet seen applied.
        if (chaos && pendingWrites.size() < 40 && rng.nextDouble() < 0.6) {
            int batch = 1 + rng.nextInt(3);
            for (int i = 0; i < batch; i++) pendingWrites.put(nextWriteId++, -1000L);
        }
        for (Map.Entry<Long, Long> w : pendingWrites.entrySet()) {
            if (ticks - w.getValue() < 3 * electionTick) continue;
            SimNode sn = randomUpMember();
            if (sn == null) break;
            try {
                sn.node.propose(ByteBuffer.allocate(8).putLong(w.getKey()).array());
                w.setValue(ticks);
            } catch (ProposalDroppedException e) {
                break; // no leader there: try again next tick
            }
        }
        if (rng.nextDouble() < 0.15) {
            SimNode sn = randomUpMember();
            if (sn != null) {
                long readId = nextReadId++;
                pendingReads.put(readId, maxCommitSeen);
                sn.node.readIndex(ByteBuffer.allocate(8).putLong(readId).array());
            }
        }
    }

    private SimNode randomUpMember() {
        List<SimNode> up = new ArrayList<>();
        for (SimNode sn : nodes.values()) if (sn.up() && latestConf.contains(sn.id)) up.add(sn);
        return up.isEmpty() ? null : up.get(rng.nextInt(up.size()));
    }

    // ------------------------------------------------------------------ driving

    void tickOnce() {
        ticks++;
        for (SimNode sn : nodes.values()) if (sn.up()) sn.node.tick();
        processReadies();
        for (int u = 0; u < UNITS_PER_TICK; u++) {
            now++;
            for (Message m : net.due(now)) deliver(m);
            processReadies();
        }
    }

    private void deliver(Message m) {
        SimNode to = nodes.get(m.to());
        if (to == null || !to.up()) {
            if (m.type() == MessageType.MsgSnap) reportSnapshot(m, true);
            return;
        }
        to.node.step(m);
        if (m.type() == MessageType.MsgSnap) reportSnapshot(m, false);
    }

    private void reportSnapshot(Message m, boolean failed) {
        SimNode from = nodes.get(m.from());
        if (from != null && from.up()) from.node.reportSnapshot(m.to(), failed);
    }

    private void processReadies() {
        for (int round = 0; round < 8; round++) {
            boolean any = false;
            for (SimNode sn : nodes.values()) {
                if (sn.up() && sn.node.hasReady()) {
                    any = true;
                    handleReady(sn);
                }
            }
            check();
            if (!any) return;
        }
    }

    private void handleReady(SimNode sn) {
        Ready rd = sn.node.ready();
        if (traceBuf != null) {
            if (rd.softState() != null) trace("node " + sn.id + " soft " + rd.softState());
            if (rd.hardState() != null) trace("node " + sn.id + " hard " + rd.hardState());
            if (!rd.entries().isEmpty()) trace("node " + sn.id + " persist " + rd.entries().get(0).index() + ".." + rd.entries().get(rd.entries().size() - 1).index() + " t" + rd.entries().get(rd.entries().size() - 1).term());
            if (!rd.committedEntries().isEmpty()) trace("node " + sn.id + " apply " + rd.committedEntries().get(0).index() + ".." + rd.committedEntries().get(rd.committedEntries().size() - 1).index() + " t" + rd.committedEntries().get(rd.committedEntries().size() - 1).term());
            for (Message m : rd.messages()) if (m.type() != MessageType.MsgHeartbeat && m.type() != MessageType.MsgHeartbeatResp) trace("  send " + m);
        }
        boolean early = rng.nextBoolean();
        if (early) {
            for (Message m : rd.messagesBeforePersist()) send(m);
            // A crash between sending and persisting is exactly what the early-send rule must survive.
            if (chaosOn && rng.nextDouble() < 0.003) {
                sn.crash();
                return;
            }
        }
        checkPersistedEntries(sn, rd.entries());
        if (rd.snapshot() != null) sn.storage.applySnapshot(rd.snapshot());
        sn.storage.append(rd.entries());
        if (rd.hardState() != null) sn.storage.setHardState(rd.hardState());
        for (Message m : early ? rd.messagesAfterPersist() : rd.messages()) send(m);
        if (rd.snapshot() != null) installSnapshot(sn, rd.snapshot());
        for (Entry e : rd.committedEntries()) apply(sn, e);
        for (ReadState rs : rd.readStates()) {
            long readId = ByteBuffer.wrap(rs.requestCtx()).getLong();
            Long required = pendingReads.remove(readId);
            if (required != null) {
                if (rs.index() < required) {
                    throw fail("stale read: read " + readId + " at node " + sn.id + " got index " + rs.index()
                        + " but " + required + " was committed before it was issued");
                }
                readsServed++;
            }
        }
        sn.node.advance(rd);
    }

    private void send(Message m) {
        if (!net.send(m, now) && m.type() == MessageType.MsgSnap) reportSnapshot(m, true);
    }

    private void installSnapshot(SimNode sn, Snapshot s) {
        long chain = ByteBuffer.wrap(s.data()).getLong();
        if (s.index() > maxApplied) throw fail("node " + sn.id + " installed snapshot " + s.index() + " beyond anything applied (" + maxApplied + ")");
        if (cChain[(int) s.index()] != chain) throw fail("snapshot at " + s.index() + " disagrees with applied history");
        sn.appliedIndex = s.index();
        sn.chain = chain;
        sn.conf = s.metadata().confState();
        trace("node " + sn.id + " installed snapshot " + s.index());
    }

    private static long mix(long h, long v) {
        h ^= v;
        h *= 0x9E3779B97F4A7C15L;
        return h ^ (h >>> 29);
    }

    private static long hash(Entry e) {
        long h = e.type().code + 1;
        for (byte b : e.data()) h = mix(h, b);
        return h;
    }

    private void apply(SimNode sn, Entry e) {
        if (e.index() != sn.appliedIndex + 1) {
            throw fail("node " + sn.id + " applied index " + e.index() + " after " + sn.appliedIndex);
        }
        long h = hash(e);
        long chain = mix(mix(sn.chain, e.term()), h);
        int i = (int) e.index();
        if (e.index() <= maxApplied) {
            if (cTerm[i] != e.term() || cHash[i] != h || cChain[i] != chain) {
                throw fail("node " + sn.id + " applied a different entry at " + e.index() + " (term " + e.term()
                    + ", expected term " + cTerm[i] + "): committed entries diverged");
            }
        } else {
            if (e.index() != maxApplied + 1) throw fail("applied index " + e.index() + " beyond global " + maxApplied);
            if (i >= cTerm.length) {
                cTerm = java.util.Arrays.copyOf(cTerm, i * 2);
                cHash = java.util.Arrays.copyOf(cHash, i * 2);
                cChain = java.util.Arrays.copyOf(cChain, i * 2);
                cCommitTerm = java.util.Arrays.copyOf(cCommitTerm, i * 2);
            }
            cCommitTerm[i] = sn.node.term();
            cTerm[i] = e.term();
            cHash[i] = h;
            cChain[i] = chain;
            maxApplied = e.index();
        }
        sn.appliedIndex = e.index();
        sn.chain = chain;
        if (e.type() == EntryType.CONF_CHANGE) {
            ConfChange cc = ConfChange.decode(e.data());
            sn.conf = sn.node.applyConfChange(cc);
            if (e.index() > latestConfIndex) {
                latestConfIndex = e.index();
                latestConf = sn.conf;
                trace("conf change applied at " + e.index() + ": " + cc.type() + " " + cc.nodeId() + " -> " + latestConf);
            }
            if (pendingCC != null && pendingCC.type() == cc.type() && pendingCC.nodeId() == cc.nodeId()) pendingCC = null;
        } else if (e.data().length == 8) {
            if (pendingWrites.remove(ByteBuffer.wrap(e.data()).getLong()) != null) committedWrites++;
        }
    }

    // ------------------------------------------------------------------ invariants

    /** Log matching, checked as entries become durable: an (index, term) pair names exactly one entry and one predecessor term. */
    private void checkPersistedEntries(SimNode sn, List<Entry> ents) {
        if (ents.isEmpty()) return;
        long prevTerm = sn.node.termAt(ents.get(0).index() - 1);
        for (Entry e : ents) {
            long h = hash(e);
            long[] seen = seenEntries.putIfAbsent(new IndexTerm(e.index(), e.term()), new long[] {h, prevTerm});
            if (seen != null && (seen[0] != h || (seen[1] != prevTerm && prevTerm != 0 && seen[1] != 0))) {
                throw fail("log matching violated at node " + sn.id + " index " + e.index() + " term " + e.term());
            }
            prevTerm = e.term();
        }
    }

    /** Checked after every step. */
    private void check() {
        for (SimNode sn : nodes.values()) {
            if (!sn.up()) continue;
            RaftNode n = sn.node;
            maxCommitSeen = Math.max(maxCommitSeen, n.committedIndex());
            if (!n.isLeader()) {
                leaderLastSeen.remove(sn.id);
                continue;
            }
            long term = n.term();
            Long prev = leaderOfTerm.putIfAbsent(term, sn.id);
            if (prev != null && prev != sn.id) throw fail("election safety: two leaders in term " + term + ": " + prev + " and " + sn.id);
            long[] last = leaderLastSeen.get(sn.id);
            long li = n.lastIndex();
            if (last == null || last[0] != term) {
                trace("node " + sn.id + " became leader in term " + term + " (last " + li + ")");
                checkLeaderCompleteness(sn);
            } else {
                // Leader append-only: within its term, nothing it had may shrink or change.
                if (li < last[1]) throw fail("leader " + sn.id + " log shrank from " + last[1] + " to " + li);
                if (last[1] >= n.firstIndex() && (n.termAt(last[1]) != last[2] || entryHash(n, last[1]) != last[3])) {
                    throw fail("leader " + sn.id + " overwrote its entry " + last[1]);
                }
            }
            long t = n.termAt(li);
            leaderLastSeen.put(sn.id, new long[] {term, li, t, li >= n.firstIndex() ? entryHash(n, li) : 0});
        }
    }

    private static long entryHash(RaftNode n, long index) {
        if (index == 0) return 0;
        return hash(n.raft().raftLog.slice(index, index + 1, Long.MAX_VALUE).get(0));
    }

    /**
     * Leader completeness: a new leader of term T holds every entry committed in a term before T. We know
     * an upper bound of each entry's commit term (the applier's term), so check the entries whose bound
     * is below T. (A leader of an older term can be elected late, after newer commits; that is legal.)
     */
    private void checkLeaderCompleteness(SimNode sn) {
        RaftNode n = sn.node;
        long term = n.term();
        for (long i = 1; i <= maxApplied; i++) {
            if (cCommitTerm[(int) i] >= term) continue;
            if (i > n.lastIndex()) {
                throw fail("leader completeness: new leader " + sn.id + " (term " + term + ") has last index "
                    + n.lastIndex() + " but entry " + i + " was committed by term " + cCommitTerm[(int) i]);
            }
            if (i < n.firstIndex()) continue; // covered by its snapshot
            if (n.termAt(i) != cTerm[(int) i] || entryHash(n, i) != cHash[(int) i]) {
                throw fail("leader completeness: new leader " + sn.id + " (term " + term + ") lacks committed entry " + i);
            }
        }
    }

    private boolean converged() {
        if (!pendingWrites.isEmpty()) return false;
        SimNode leader = currentLeader();
        if (leader == null || !latestConf.voters().contains(leader.id)) return false;
        long commit = leader.node.committedIndex();
        if (leader.node.termAt(commit) != leader.node.term()) return false;
        if (!latestConf.equals(leader.node.confState())) return false;
        for (long id : latestConf.voters()) if (!caughtUp(id, commit)) return false;
        for (long id : latestConf.learners()) if (!caughtUp(id, commit)) return false;
        return true;
    }

    private boolean caughtUp(long id, long commit) {
        SimNode sn = nodes.get(id);
        return sn != null && sn.up() && sn.appliedIndex >= commit;
    }

    private String convergenceReport() {
        StringBuilder sb = new StringBuilder();
        sb.append("pendingWrites=").append(pendingWrites.size()).append(" conf=").append(latestConf).append('\n');
        for (SimNode sn : nodes.values()) {
            sb.append("  node ").append(sn.id).append(sn.up() ? "" : " DOWN");
            if (sn.up()) {
                Status st = sn.node.status();
                sb.append(' ').append(st.role()).append(" term=").append(st.term()).append(" lead=").append(st.leader())
                    .append(" commit=").append(st.commit()).append(" applied=").append(sn.appliedIndex)
                    .append(" last=").append(sn.node.lastIndex()).append(" conf=").append(st.confState())
                    .append(" progress=").append(st.progress().values());
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    private void finalChecks() {
        // Every member holds every committed entry (in its log or covered by its snapshot).
        for (long id : latestConf.voters()) {
            SimNode sn = nodes.get(id);
            RaftNode n = sn.node;
            for (long i = Math.max(1, n.firstIndex()); i <= Math.min(maxApplied, n.committedIndex()); i++) {
                if (n.termAt(i) != cTerm[(int) i]) throw fail("node " + id + " lost committed entry " + i);
            }
        }
    }

    long committedWrites() { return committedWrites; }

    long maxApplied() { return maxApplied; }
}
