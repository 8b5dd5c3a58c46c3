package io.vetcd.etcdformat;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.vertx.core.json.JsonObject;
import io.vetcd.lease.ImportedLeases;
import io.vetcd.mvcc.HistoryImport;
import io.vetcd.mvcc.MvccOptions;
import io.vetcd.mvcc.MvccStore;
import io.vetcd.mvcc.WriteTxn;
import io.vetcd.pb.etcdserver.RangeRequest;
import io.vetcd.pb.internal.ConfChangeContext;
import io.vetcd.pb.internal.InternalRaftRequest;
import io.vetcd.pb.internal.MemberAttributes;
import io.vetcd.pb.internal.RequestHeader;
import io.vetcd.pb.lease.Lease;
import io.vetcd.pb.mvcc.KeyValue;
import io.vetcd.pb.raft.ConfChange;
import io.vetcd.pb.raft.Entry;
import io.vetcd.pb.raft.EntryType;
import io.vetcd.pb.raft.HardState;
import io.vetcd.pb.raft.Snapshot;
import io.vetcd.raft.ConfChangeType;
import io.vetcd.raft.ConfState;
import io.vetcd.server.Member;
import io.vetcd.server.Membership;
import io.vetcd.server.MembershipRecord;
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
import java.util.TreeSet;
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
            List<Member> members = applied == 0 ? List.of() : membersAt(wal, snapDir, bolt, applied);
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
    private static List<Member> membersAt(EtcdWalReader.Contents wal, Path snapDir, BoltReader bolt, long applied)
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
            return mirror.members();
        }
        for (long i = from; i <= applied; i++) {
            Entry e = wal.entry(i);
            if (e == null) throw new EtcdFormatException("the backend is at raft index " + applied + " but the WAL ends at " + (i - 1));
            if (e.getType() == EntryType.EntryConfChange) m.apply(ConfChange.parseFrom(e.getData()));
            else if (e.getType() == EntryType.EntryNormal) m.applyNormal(e.getData().toByteArray());
        }
        if (m.isEmpty()) throw new EtcdFormatException("the snapshot and WAL name no members");
        return m.members();
    }

    /** etcd's users, roles and auth switch, byte for byte (authpb records, bcrypt hashes): logins keep working. */
    private static void importAuth(BoltReader bolt, WriteTxn txn) throws IOException {
        BoltReader.Bucket auth = bolt.bucket("auth");
        if (auth != null) {
            byte[] enabled = auth.get(bytes("authEnabled"));
            if (enabled != null) txn.putMeta(io.vetcd.auth.AuthStore.ENABLED_KEY, enabled);
            byte[] rev = auth.get(bytes("authRevision"));
            if (rev != null) txn.putMeta(io.vetcd.auth.AuthStore.REVISION_KEY, rev);
        }
        BoltReader.Bucket users = bolt.bucket("authUsers");
        if (users != null) users.forEach((k, v) -> { if (v != null) txn.putMeta(io.vetcd.auth.AuthStore.key(io.vetcd.auth.AuthStore.USERS, new String(k, java.nio.charset.StandardCharsets.UTF_8)), v); });
        BoltReader.Bucket roles = bolt.bucket("authRoles");
        if (roles != null) roles.forEach((k, v) -> { if (v != null) txn.putMeta(io.vetcd.auth.AuthStore.key(io.vetcd.auth.AuthStore.ROLES, new String(k, java.nio.charset.StandardCharsets.UTF_8)), v); });
    }

    // ---- the entries etcd committed (or only logged) after what its backend holds

    private static List<io.vetcd.raft.Entry> translate(EtcdWalReader.Contents wal, long applied) throws IOException {
        List<io.vetcd.raft.Entry> out = new ArrayList<>();
        for (Entry e : wal.entries()) {
            if (Long.compareUnsigned(e.getIndex(), applied) <= 0) continue;
            switch (e.getType()) {
                case EntryNormal -> out.add(new io.vetcd.raft.Entry(e.getTerm(), e.getIndex(), io.vetcd.raft.EntryType.NORMAL,
                    normalData(e.getData().toByteArray())));
                case EntryConfChange -> out.add(new io.vetcd.raft.Entry(e.getTerm(), e.getIndex(),
                    io.vetcd.raft.EntryType.CONF_CHANGE, confChange(ConfChange.parseFrom(e.getData())).encode()));
                default -> throw new EtcdFormatException("entry " + e.getIndex() + " is a " + e.getType()
                    + ", which etcd 3.4 never writes");
            }
        }
        if (!out.isEmpty() && out.get(0).index() != applied + 1) {
            throw new EtcdFormatException("the WAL's entries after the backend's index " + applied + " start at " + out.get(0).index());
        }
        return out;
    }

    /**
     * An etcd request in vetcd's encoding. vetcd's request message shares etcd's field numbers for
     * the v3 requests, so those pass through unchanged; a member publishing its attributes becomes
     * vetcd's publish; anything else of etcd's (v2 requests) becomes a request vetcd applies as a no-op.
     */
    private static byte[] normalData(byte[] data) {
        if (data.length == 0) return data; // a new leader's empty entry
        EtcdMembership.Attributes published = EtcdMembership.publishedAttributes(data);
        if (published != null) {
            return InternalRaftRequest.newBuilder().setHeader(RequestHeader.getDefaultInstance())
                .setMemberAttributes(MemberAttributes.newBuilder().setId(published.id()).setName(published.name())
                    .addAllClientUrls(published.clientUrls()))
                .build().toByteArray();
        }
        try {
            InternalRaftRequest r = InternalRaftRequest.parseFrom(data);
            if (r.hasPut() || r.hasDeleteRange() || r.hasTxn() || r.hasCompaction() || r.hasLeaseGrant()
                    || r.hasLeaseRevoke() || r.hasRange() || r.hasAlarm() || r.hasLeaseCheckpoint()
                    || io.vetcd.server.AuthApplier.isAuthRequest(r)) {
                // etcd's header (field 100: ID, username, auth_revision) has our header's first three
                // fields: the caller is kept, so auth checks the replayed entry as etcd did
                var etcdHeader = r.getUnknownFields().getField(100);
                RequestHeader h = etcdHeader == null || etcdHeader.getLengthDelimitedList().isEmpty()
                    ? RequestHeader.getDefaultInstance()
                    : RequestHeader.parseFrom(etcdHeader.getLengthDelimitedList().get(0)).toBuilder().setId(0).setMemberId(0).build();
                return r.toBuilder().setUnknownFields(com.google.protobuf.UnknownFieldSet.getDefaultInstance())
                    .setHeader(h).build().toByteArray();
            }
        } catch (InvalidProtocolBufferException e) {
            // a bare v2 request: no v3 state to change
        }
        return InternalRaftRequest.newBuilder().setHeader(RequestHeader.getDefaultInstance()).build().toByteArray();
    }

    private static io.vetcd.raft.ConfChange confChange(ConfChange cc) {
        ConfChangeType type = switch (cc.getType()) {
            case ConfChangeAddNode -> ConfChangeType.ADD_NODE;
            case ConfChangeRemoveNode -> ConfChangeType.REMOVE_NODE;
            case ConfChangeUpdateNode -> ConfChangeType.UPDATE_NODE;
            case ConfChangeAddLearnerNode -> ConfChangeType.ADD_LEARNER_NODE;
        };
        ConfChangeContext.Builder ctx = ConfChangeContext.newBuilder().setHeader(RequestHeader.getDefaultInstance());
        if (!cc.getContext().isEmpty() && cc.getType() != io.vetcd.pb.raft.ConfChangeType.ConfChangeRemoveNode) {
            JsonObject j = new JsonObject(cc.getContext().toStringUtf8());
            MemberAttributes.Builder m = MemberAttributes.newBuilder().setId(cc.getNodeID()).setName(j.getString("name", ""))
                .setIsLearner(j.getBoolean("isLearner", false));
            if (j.getJsonArray("peerURLs") != null) j.getJsonArray("peerURLs").forEach(u -> m.addPeerUrls(String.valueOf(u)));
            if (j.getJsonArray("clientURLs") != null) j.getJsonArray("clientURLs").forEach(u -> m.addClientUrls(String.valueOf(u)));
            ctx.setMember(m);
        }
        return new io.vetcd.raft.ConfChange(type, cc.getNodeID(), ctx.build().toByteArray());
    }

    // ---- writing vetcd's state beside etcd's

    private Summary writeBackend(BoltReader bolt, Path dir, long applied, Membership membership, HardState hs,
                                 int replayed) throws IOException {
        BoltReader.Bucket meta = required(bolt, "meta");
        long scheduled = revisionMain(meta.get(bytes("scheduledCompactRev")));
        long finished = revisionMain(meta.get(bytes("finishedCompactRev")));
        long[] last = {0};
        long versions;
        try (MvccStore store = MvccStore.open(dir, MvccOptions.defaults());
             HistoryImport history = new HistoryImport(store)) {
            required(bolt, "key").forEach((k, v) -> {
                if (v == null) throw new EtcdFormatException("unexpected nested bucket in the key bucket");
                if (k.length != 17 && !(k.length == 18 && k[17] == 't')) {
                    throw new EtcdFormatException("key bucket holds a key of " + k.length + " bytes, not a revision");
                }
                ByteBuffer rev = ByteBuffer.wrap(k);
                long main = rev.getLong(0);
                long sub = rev.getLong(9);
                KeyValue kv = KeyValue.parseFrom(v);
                if (k.length == 18) {
                    history.tombstone(kv.getKey().toByteArray(), main, sub);
                } else {
                    if (kv.getModRevision() != main) {
                        throw new EtcdFormatException("revision " + main + "_" + sub + " holds a key with mod revision " + kv.getModRevision());
                    }
                    history.put(kv, sub);
                }
                last[0] = main;
            });
            // etcd's rule: a store compacted past its last write reports the compaction revision
            history.finish(Math.max(last[0], scheduled), scheduled, finished, applied);
            versions = history.versions();
        }
        long leases = 0;
        long keys;
        long revision;
        try (MvccStore store = MvccStore.open(dir, MvccOptions.defaults())) {
            WriteTxn txn = store.beginWrite();
            BoltReader.Bucket leaseBucket = bolt.bucket("lease");
            List<Lease> all = new ArrayList<>();
            if (leaseBucket != null) leaseBucket.forEach((k, v) -> { if (v != null) all.add(Lease.parseFrom(v)); });
            for (Lease l : all) ImportedLeases.put(txn, l.getID(), l.getTTL());
            importAuth(bolt, txn);
            leases = all.size();
            // with nothing applied yet, membership comes from replaying the log's conf changes
            if (!membership.members().isEmpty()) MembershipRecord.write(txn, membership, confState(membership.members()));
            txn.commit(applied);
            revision = store.currentRevision();
            keys = store.range(RangeRequest.newBuilder().setKey(ByteString.copyFrom(new byte[]{0}))
                .setRangeEnd(ByteString.copyFrom(new byte[]{0})).setCountOnly(true).build()).count();
            store.syncWal();
        }
        return new Summary(membership.localId(), membership.clusterId(), revision, scheduled, keys, versions, leases,
            membership.members().size(), applied, hs.getCommit(), replayed);
    }

    private static ConfState confState(List<Member> members) {
        TreeSet<Long> voters = new TreeSet<>(Long::compareUnsigned);
        TreeSet<Long> learners = new TreeSet<>(Long::compareUnsigned);
        for (Member m : members) (m.learner() ? learners : voters).add(m.id());
        return new ConfState(voters, learners);
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

    /** etcd stores a compaction as a revision key (main, '_', sub); 0 when absent. */
    private static long revisionMain(byte[] v) {
        return v == null || v.length < 8 ? 0 : ByteBuffer.wrap(v).getLong();
    }

    private static byte[] bytes(String s) { return s.getBytes(StandardCharsets.UTF_8); }
}
