package io.vetcd.server.sim;

import io.vertx.core.json.JsonObject;
import io.vetcd.etcdformat.EtcdSnapshotFormat;
import io.vetcd.lease.Lessor;
import io.vetcd.mvcc.MvccOptions;
import io.vetcd.mvcc.MvccStore;
import io.vetcd.pb.internal.InternalRaftRequest;
import io.vetcd.raft.ConfChange;
import io.vetcd.raft.ConfState;
import io.vetcd.raft.Entry;
import io.vetcd.raft.MemoryStorage;
import io.vetcd.raft.RaftConfig;
import io.vetcd.raft.RaftNode;
import io.vetcd.raft.Role;
import io.vetcd.raft.Snapshot;
import io.vetcd.server.EtcdServer;
import io.vetcd.server.IdGenerator;
import io.vetcd.server.Member;
import io.vetcd.server.MemberJson;
import io.vetcd.server.Membership;
import io.vetcd.server.MembershipRecord;
import io.vetcd.server.ServerCore;
import io.vetcd.wal.Wal;
import io.vetcd.wal.WalOptions;
import io.vetcd.wal.WalSnapshotMarker;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * One simulated member: the real {@link ServerCore} (stepped, on the simulation's thread),
 * {@link io.vetcd.server.ApplyLoop ApplyLoop}, {@link Wal} (on a {@link CrashableFileSystem}),
 * {@link MvccStore} (RocksDB in a temporary directory), {@link Lessor} and {@link EtcdServer} as the
 * state machine, wired as {@code io.vetcd.node.VetcdNode#openStorage} wires them, minus the network
 * and Vert.x. Its clock is the virtual time plus an offset that changes with every start, as a
 * process's monotonic clock does.
 */
final class SimMember {
    static final long CLUSTER_ID = 0x5eedc1L;

    final int index;
    final long id;
    private final ServerSimulation world;
    final CrashableFileSystem disk = new CrashableFileSystem();
    private final Path walDir;
    private final Path backendDir;
    final Path scratchDir;

    int incarnation;
    boolean up;
    /** Virtual time before which this member's threads do not run (a stalled process). */
    long stalledUntil;
    private long clockOffset;

    Wal wal;
    MemoryStorage storage;
    RaftNode raft;
    MvccStore store;
    Lessor lessor;
    EtcdServer server;
    ServerCore core;
    IdGenerator ids;

    // invariant bookkeeping (ServerInvariants)
    long lastAppliedIndex;
    long lastRevision;
    final Map<Long, Long> leaseRefreshedAt = new HashMap<>();
    final Map<Long, String> leaseRefreshedHow = new HashMap<>();
    /** The earliest core turn already scheduled for this incarnation (no need to schedule another before it). */
    long turnScheduledAt = Long.MAX_VALUE;
    boolean applyScheduled;

    SimMember(ServerSimulation world, int index, Path dataRoot) {
        this.world = world;
        this.index = index;
        this.id = 0x1000L + index;
        this.walDir = disk.getPath("/member/wal");
        this.backendDir = dataRoot.resolve("m" + index).resolve("db");
        this.scratchDir = dataRoot.resolve("m" + index).resolve("scratch");
        try {
            java.nio.file.Files.createDirectories(disk.getPath("/member"));
            java.nio.file.Files.createDirectories(scratchDir);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        disk.syncAll();
    }

    /** This member's monotonic clock. */
    long now() {
        return world.scheduler.now() + clockOffset;
    }

    /** Virtual time of a moment on this member's clock. */
    long virtualTime(long memberNanos) {
        return memberNanos - clockOffset;
    }

    @Override
    public String toString() {
        return "m" + index + "#" + incarnation;
    }

    /** Opens the backend and the WAL and starts raft: as a new cluster the first time, from disk after that. */
    void start(List<Member> initialMembers, SplittableRandom rng) {
        incarnation++;
        clockOffset = rng.nextLong(1, 1L << 50);
        ids = new IdGenerator(id, world.scheduler.now() / 1_000_000 + 1_000_000L * incarnation);
        leaseRefreshedAt.clear();
        leaseRefreshedHow.clear();
        turnScheduledAt = Long.MAX_VALUE;
        applyScheduled = false;
        WalOptions walOpts = WalOptions.defaults().withSegmentSize(world.params.walSegmentBytes())
            .withPreallocate(world.params.preallocateWal()).withMaxFiles(1);
        store = MvccStore.open(backendDir, new MvccOptions(8L << 20, 1L << 20, 1000, 0));
        storage = new MemoryStorage();
        long applied = store.consistentIndex();
        int electionTick = world.params.electionTicks();
        Membership membership;
        long walSnapshotIndex = 0;
        if (Wal.exists(walDir)) {
            // as VetcdNode: entries the backend already applied are dropped on open, less the catch-up entries
            wal = Wal.openSkipping(walDir, walOpts, applied - world.params.catchUpEntries());
            ByteBuffer meta = ByteBuffer.wrap(wal.metadata());
            long localId = meta.getLong();
            long clusterId = meta.getLong();
            JsonObject record = MembershipRecord.read(store);
            List<Member> members = record == null ? List.of() : MembershipRecord.members(record);
            membership = new Membership(localId, clusterId, members);
            if (record != null) membership.clusterVersion(MembershipRecord.clusterVersion(record));
            WalSnapshotMarker marker = wal.recovered().snapshot();
            if (marker != null) walSnapshotIndex = marker.index();
            long snapshotIndex = wal.restoreInto(storage, record == null ? ConfState.EMPTY : MembershipRecord.confState(record));
            raft = new RaftNode(raftConfig(electionTick, rng).withApplied(snapshotIndex), storage);
        } else {
            membership = new Membership(id, CLUSTER_ID, initialMembers);
            ByteBuffer meta = ByteBuffer.allocate(16).putLong(id).putLong(CLUSTER_ID);
            wal = Wal.create(walDir, walOpts, meta.array());
            raft = new RaftNode(raftConfig(electionTick, rng), storage);
            List<Long> voters = initialMembers.stream().map(Member::id).sorted(Long::compareUnsigned).toList();
            raft.bootstrap(voters, v -> {
                Member m = membership.get(v);
                return MemberJson.encodeBytes(new Member(m.id(), m.name(), m.peerUrls(), List.of(), false));
            });
        }
        long minTtl = (long) Math.ceil(1.5 * electionTick * world.params.tickMillis() / 1000.0);
        lessor = new Lessor(store, this::now, minTtl);
        lessor.recover();
        server = new EtcdServer(null, store, lessor, membership, 128, 1536 * 1024, 5000,
            (long) electionTick * world.params.tickMillis());
        server.snapshotFormat(new EtcdSnapshotFormat());
        world.invariants.resumed(this, store.consistentIndex(), store.currentRevision(), wal.recovered().lastIndex());
        world.invariants.countsMatch(this, store);
        store.addChangeListener(c -> world.invariants.committed(this, c));
        core = new ServerCore(wal, raft, storage, new Observed(), id, world.params.tickMillis(), applied, this::now);
        server.attach(core);
        core.peers(messages -> world.network.send(this, messages));
        core.snapshotEvery(world.params.snapshotCount(), world.params.catchUpEntries(), store::flush, walSnapshotIndex);
        core.onLeaderChange(s -> {
            // as VetcdNode: only the leader expires leases; promotion happens when the term's first entry applies
            if (s.role() != Role.LEADER && lessor.isPrimary()) lessor.demote();
        });
        // EtcdServer calls this right after promoting the lessor (etcd's first commit in a term)
        server.onFirstCommitInTerm(() -> {
            for (var l : lessor.leases()) world.invariants.leaseRefreshed(this, l.id(), now(), "promoted");
        });
        core.startStepped();
        up = true;
    }

    private RaftConfig raftConfig(int electionTick, SplittableRandom rng) {
        // as VetcdNode's: one tick per heartbeat, 1 MiB messages, 256 in flight, check quorum; pre-vote as the seed says
        return new RaftConfig(id, electionTick, 1, 1 << 20, 256, true, world.params.preVote(), 0, rng.split());
    }

    /**
     * A power loss: the member's threads stop where they are (between two steps), unsynced WAL bytes
     * are lost (a torn tail may survive), the backend keeps only what it flushed to SST files
     * (it writes without a WAL of its own): the rest must be replayed from the raft WAL.
     */
    void crash(SplittableRandom rng) {
        up = false;
        core.stop(); // fails what waits on this member (its clients see the connection drop)
        disk.crash(rng, world.params.tornTailChance());
        store.abandon();
        wal = null;
        core = null;
        server = null;
        raft = null;
    }

    /** At the end of a run: closes what is open (no crash semantics needed). */
    void close() {
        if (!up) return;
        up = false;
        core.stop();
        store.close();
    }

    /** The state machine the core drives: EtcdServer, watched by the invariants. */
    private final class Observed implements ServerCore.StateMachine {
        @Override
        public ServerCore.Applied apply(Entry entry) {
            ServerCore.Applied a = server.apply(entry);
            world.invariants.applied(SimMember.this, entry.index(), entry.data(), store.writerRevision());
            // a grant applied again (a duplicated proposal) fails with "lease already exists" and refreshes nothing
            if (a.result() instanceof io.vetcd.pb.etcdserver.LeaseGrantResponse) leaseGrantRefresh(entry);
            return a;
        }

        /** A lease granted while this member's lessor is primary starts its TTL now. */
        private void leaseGrantRefresh(Entry entry) {
            if (!lessor.isPrimary()) return;
            try {
                InternalRaftRequest r = InternalRaftRequest.parseFrom(entry.data());
                if (r.hasLeaseGrant() && lessor.lookup(r.getLeaseGrant().getID()) != null) {
                    world.invariants.leaseRefreshed(SimMember.this, r.getLeaseGrant().getID(), now(), "granted");
                }
            } catch (com.google.protobuf.InvalidProtocolBufferException e) {
                // not a v3 request: nothing to note
            }
        }

        @Override
        public void endBatch() {
            server.endBatch();
            world.invariants.countsMatch(SimMember.this, store);
        }

        @Override
        public void applyEmpty(Entry entry) {
            server.applyEmpty(entry);
            world.invariants.applied(SimMember.this, entry.index(), entry.data(), store.writerRevision());
        }

        @Override
        public ServerCore.Applied applyConfChange(Entry entry, ConfChange cc, ConfState confState) {
            ServerCore.Applied a = server.applyConfChange(entry, cc, confState);
            world.invariants.applied(SimMember.this, entry.index(), entry.data(), store.writerRevision());
            return a;
        }

        @Override
        public long restore(Snapshot snapshot, Path payloadDir) {
            long applied = server.restore(snapshot, payloadDir);
            world.invariants.restored(SimMember.this, applied, Math.max(applied, snapshot.index()), store.currentRevision());
            world.invariants.countsMatch(SimMember.this, store);
            return applied;
        }

        @Override
        public byte[] snapshotData(long index) { return server.snapshotData(index); }

        @Override
        public void writeSnapshotDb(java.io.OutputStream out, Path scratch) throws java.io.IOException {
            server.writeSnapshotDb(out, scratch);
        }
    }
}
