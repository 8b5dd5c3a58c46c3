package io.vetcd.etcdformat;

import io.vetcd.pb.raft.ConfChange;
import io.vetcd.pb.raft.Entry;
import io.vetcd.pb.raft.EntryType;
import io.vetcd.pb.raft.HardState;
import io.vetcd.pb.raft.Snapshot;
import io.vetcd.server.Member;
import io.vetcd.server.Membership;
import io.vetcd.wal.Wal;
import io.vetcd.wal.WalOptions;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.stream.Stream;

/**
 * Takes over an etcd 3.4 data directory once, when a vetcd member starts where an etcd member ran
 * (or where {@code etcdctl snapshot restore} wrote): builds vetcd's backend from etcd's bbolt
 * file and vetcd's WAL from etcd's WAL, keeping the member id, cluster id, raft term, vote, commit
 * and every committed entry etcd had not applied yet (vetcd's normal apply path replays those).
 *
 * <p>Everything is written beside etcd's files first; only then are etcd's {@code snap} and WAL
 * directories renamed aside ({@code snap.etcd3}, {@code wal.etcd3}) and vetcd's moved in, the
 * backend last, since its presence is what marks the import as done. Any failure leaves etcd's
 * files as they were; an import interrupted by a crash is undone and redone on the next start.
 * Blocking: call from a worker thread.
 */
public final class EtcdDataDirImport {
    public static final String ASIDE_SUFFIX = ".etcd3";
    private static final String STAGING_SUFFIX = ".importing";
    private static final String DB = "db";
    private static final String SNAP = "snap";

    /** What was imported, for the one log line an operator reads. */
    public record Summary(long memberId, long clusterId, long revision, long compactRevision, long keys, long versions,
                          long leases, int members, long appliedIndex, long commitIndex, int replayedEntries) {}

    private final Path memberDir;
    private final Path walDir;
    private final WalOptions walOptions;

    public EtcdDataDirImport(Path memberDir, Path walDir, WalOptions walOptions) {
        this.memberDir = memberDir;
        this.walDir = walDir;
        this.walOptions = walOptions;
    }

    /**
     * True if there is no vetcd backend yet but etcd's files are there (its backend, or its WAL, or
     * both set aside by an interrupted import). A damaged etcd backend still counts, so the start
     * fails with a clear error instead of reading etcd's WAL as vetcd's.
     */
    public static boolean applies(Path memberDir, Path walDir) {
        if (Files.exists(memberDir.resolve(DB))) return false;
        return Files.exists(memberDir.resolve(SNAP).resolve(DB))
            || Files.exists(memberDir.resolve(SNAP + ASIDE_SUFFIX).resolve(DB))
            || EtcdWalReader.isEtcdWal(walDir) || EtcdWalReader.isEtcdWal(aside(walDir));
    }

    public Summary run() {
        try {
            undoInterrupted();
            return importOnce();
        } catch (IOException | RuntimeException e) {
            deleteStaging();
            throw new EtcdFormatException("cannot take over the etcd data directory in " + memberDir.getParent()
                + " (etcd's files are left as they were): " + e.getMessage(), e);
        }
    }

    private Summary importOnce() throws IOException {
        Path snapDir = memberDir.resolve(SNAP);
        if (!BoltReader.isBoltFile(snapDir.resolve(DB))) {
            throw new EtcdFormatException(snapDir.resolve(DB) + " is not a bbolt database (missing or damaged)");
        }
        if (!EtcdWalReader.isEtcdWal(walDir)) {
            throw new EtcdFormatException(snapDir.resolve(DB) + " is an etcd backend but " + walDir + " holds no etcd WAL");
        }
        EtcdWalReader.Contents wal = EtcdWalReader.read(walDir);
        Path dbStaging = staging(memberDir.resolve(DB));
        Path walStaging = staging(walDir);
        Summary summary;
        try (BoltReader bolt = BoltReader.open(snapDir.resolve(DB))) {
            BoltReader.Bucket meta = required(bolt, "meta");
            // absent until etcd's backend commits for the first time: then etcd replays its whole log, and so do we
            byte[] ci = meta.get(bytes("consistent_index"));
            long applied = ci == null ? 0 : beLong(ci, "consistent_index");
            long appliedTerm = applied == 0 ? 0 : termAt(wal, snapDir, applied);
            EtcdMembership known = applied == 0 ? new EtcdMembership() : membersAt(wal, snapDir, bolt, applied);
            List<Member> members = known.members();
            if (applied > 0 && members.stream().noneMatch(m -> m.id() == wal.nodeId())) {
                throw new EtcdFormatException("member " + Long.toHexString(wal.nodeId()) + " named by the WAL is not among the cluster's members "
                    + members.stream().map(m -> Long.toHexString(m.id())).toList());
            }
            List<io.vetcd.raft.Entry> replay = translate(wal, applied);
            HardState hs = wal.hardState();
            if (Long.compareUnsigned(hs.getCommit(), applied) < 0) {
                hs = hs.toBuilder().setCommit(applied).setTerm(Math.max(hs.getTerm(), appliedTerm)).build();
            }
            Membership membership = new Membership(wal.nodeId(), wal.clusterId(), members);
            membership.clusterVersion(known.clusterVersion() != null ? known.clusterVersion() : backendClusterVersion(bolt));
            membership.addRemoved(known.removed());
            membership.addRemoved(EtcdMembership.removedFromBoltBucket(bolt.bucket("members_removed")));
            summary = writeBackend(bolt, dbStaging, applied, membership, hs, replay.size());
            writeWal(walStaging, wal, applied, appliedTerm, hs, replay);
        }
        swapIn(snapDir, dbStaging, walStaging);
        if (walOptions.fsync()) {
            fsyncDir(memberDir);
            fsyncDir(walDir.toAbsolutePath().getParent());
        }
        return summary;
    }

    // ---- reading etcd's state

    private static long termAt(EtcdWalReader.Contents wal, Path snapDir, long index) throws IOException {
        Entry e = wal.entry(index);
        if (e != null) return e.getTerm();
        for (io.vetcd.pb.etcdwal.Snapshot s : wal.snapshots()) if (s.getIndex() == index) return s.getTerm();
        Snapshot snap = EtcdSnapFiles.newestAtOrBelow(snapDir, index);
        if (snap != null && snap.getMetadata().getIndex() == index) return snap.getMetadata().getTerm();
        throw new EtcdFormatException("the backend is at raft index " + index + " but neither the WAL nor a snapshot has that entry's term");
    }

    /** Membership as of {@code applied}: etcd's own way (snapshot, then the WAL), else the bbolt mirror. */
    /** The cluster version etcd mirrors into its backend ({@code cluster/clusterVersion}), or null. */
    private static String backendClusterVersion(BoltReader bolt) throws IOException {
        BoltReader.Bucket cluster = bolt.bucket("cluster");
        byte[] v = cluster == null ? null : cluster.get(bytes("clusterVersion"));
        return v == null ? null : new String(v, StandardCharsets.UTF_8);
    }

    private static EtcdMembership membersAt(EtcdWalReader.Contents wal, Path snapDir, BoltReader bolt, long applied)
            throws IOException {
        Snapshot snap = EtcdSnapFiles.newestAtOrBelow(snapDir, applied);
        EtcdMembership m = snap == null ? new EtcdMembership() : EtcdMembership.fromV2Store(snap.getData().toByteArray());
        long from = snap == null ? 1 : snap.getMetadata().getIndex() + 1;
        if (from <= applied && wal.entry(from) == null) {
            EtcdMembership mirror = EtcdMembership.fromBoltBucket(bolt.bucket("members"));
            if (mirror.isEmpty()) {
                throw new EtcdFormatException("cannot tell the cluster's members: the WAL does not reach back to entry " + from
                    + " and the backend has no members");
            }
            return mirror;
        }
        for (long i = from; i <= applied; i++) {
            Entry e = wal.entry(i);
            if (e == null) throw new EtcdFormatException("the backend is at raft index " + applied + " but the WAL ends at " + (i - 1));
            if (e.getType() == EntryType.EntryConfChange) m.apply(ConfChange.parseFrom(e.getData()));
            else if (e.getType() == EntryType.EntryNormal) m.applyNormal(e.getData().toByteArray());
        }
        if (m.isEmpty()) throw new EtcdFormatException("the snapshot and WAL name no members");
        return m;
    }

    // ---- the entries etcd committed (or only logged) after what its backend holds

    private static List<io.vetcd.raft.Entry> translate(EtcdWalReader.Contents wal, long applied) throws IOException {
        List<io.vetcd.raft.Entry> out = new ArrayList<>();
        for (Entry e : wal.entries()) {
            if (Long.compareUnsigned(e.getIndex(), applied) <= 0) continue;
            switch (e.getType()) {
                // vetcd's entries are etcd's, byte for byte: its requests, v2 publishes and conf changes
                case EntryNormal -> out.add(new io.vetcd.raft.Entry(e.getTerm(), e.getIndex(), io.vetcd.raft.EntryType.NORMAL,
                    e.getData().toByteArray()));
                case EntryConfChange -> out.add(new io.vetcd.raft.Entry(e.getTerm(), e.getIndex(),
                    io.vetcd.raft.EntryType.CONF_CHANGE, e.getData().toByteArray()));
                default -> throw new EtcdFormatException("entry " + e.getIndex() + " is a " + e.getType()
                    + ", which etcd 3.4 never writes");
            }
        }
        if (!out.isEmpty() && out.get(0).index() != applied + 1) {
            throw new EtcdFormatException("the WAL's entries after the backend's index " + applied + " start at " + out.get(0).index());
        }
        return out;
    }

    // ---- writing vetcd's state beside etcd's

    private Summary writeBackend(BoltReader bolt, Path dir, long applied, Membership membership, HardState hs,
                                 int replayed) throws IOException {
        EtcdBackendImport.Imported i = EtcdBackendImport.write(bolt, dir, applied, membership);
        return new Summary(membership.localId(), membership.clusterId(), i.revision(), i.compactRevision(), i.keys(),
            i.versions(), i.leases(), membership.members().size(), applied, hs.getCommit(), replayed);
    }

    /** vetcd's WAL: same member and cluster, a snapshot marker at the backend's index, etcd's hard state and later entries. */
    private void writeWal(Path dir, EtcdWalReader.Contents etcd, long applied, long appliedTerm, HardState hs,
                          List<io.vetcd.raft.Entry> replay) {
        byte[] meta = ByteBuffer.allocate(16).putLong(etcd.nodeId()).putLong(etcd.clusterId()).array();
        try (Wal wal = Wal.create(dir, walOptions, meta)) {
            if (applied > 0) wal.saveSnapshotMarker(applied, appliedTerm);
            wal.save(new io.vetcd.raft.HardState(hs.getTerm(), hs.getVote(), hs.getCommit()), replay);
            wal.sync();
        }
    }

    // ---- moving directories

    private void swapIn(Path snapDir, Path dbStaging, Path walStaging) throws IOException {
        Deque<Path[]> done = new ArrayDeque<>();
        try {
            move(walDir, aside(walDir), done);
            move(walStaging, walDir, done);
            move(snapDir, aside(snapDir), done);
            move(dbStaging, memberDir.resolve(DB), done); // last: a backend means the import is complete
        } catch (IOException | RuntimeException e) {
            while (!done.isEmpty()) {
                Path[] m = done.pop();
                try {
                    Files.move(m[1], m[0], StandardCopyOption.ATOMIC_MOVE);
                } catch (IOException undo) {
                    e.addSuppressed(undo);
                }
            }
            throw e;
        }
    }

    private static void move(Path from, Path to, Deque<Path[]> done) throws IOException {
        Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        done.push(new Path[]{from, to});
    }

    /** Puts etcd's directories back if a previous start crashed half-way through {@link #swapIn}. */
    private void undoInterrupted() throws IOException {
        Path snapDir = memberDir.resolve(SNAP);
        if (Files.isDirectory(aside(walDir))) {
            if (Files.exists(walDir)) deleteTree(walDir);
            Files.move(aside(walDir), walDir, StandardCopyOption.ATOMIC_MOVE);
        }
        if (Files.isDirectory(aside(snapDir)) && !Files.exists(snapDir)) {
            Files.move(aside(snapDir), snapDir, StandardCopyOption.ATOMIC_MOVE);
        }
        deleteStaging();
    }

    private void deleteStaging() {
        for (Path p : List.of(staging(memberDir.resolve(DB)), staging(walDir))) {
            try {
                deleteTree(p);
            } catch (IOException ignored) {
                // the next attempt deletes it again
            }
        }
    }

    private static void fsyncDir(Path dir) throws IOException {
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(dir, java.nio.file.StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    private static Path aside(Path dir) { return dir.resolveSibling(dir.getFileName() + ASIDE_SUFFIX); }

    private static Path staging(Path dir) { return dir.resolveSibling(dir.getFileName() + STAGING_SUFFIX); }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }

    // ---- small decoders

    private static BoltReader.Bucket required(BoltReader bolt, String name) throws IOException {
        BoltReader.Bucket b = bolt.bucket(name);
        if (b == null) throw new EtcdFormatException("the etcd backend has no " + name + " bucket");
        return b;
    }

    private static long beLong(byte[] v, String what) {
        if (v == null || v.length != 8) throw new EtcdFormatException("the etcd backend's " + what + " is missing or malformed");
        return ByteBuffer.wrap(v).getLong();
    }


    private static byte[] bytes(String s) { return s.getBytes(StandardCharsets.UTF_8); }
}
