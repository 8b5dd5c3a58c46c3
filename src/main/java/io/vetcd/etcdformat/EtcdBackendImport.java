package io.vetcd.etcdformat;

import com.google.protobuf.ByteString;
import io.vetcd.lease.ImportedLeases;
import io.vetcd.mvcc.HistoryImport;
import io.vetcd.mvcc.MvccOptions;
import io.vetcd.mvcc.MvccStore;
import io.vetcd.mvcc.WriteTxn;
import io.vetcd.pb.etcdserver.RangeRequest;
import io.vetcd.pb.lease.Lease;
import io.vetcd.pb.mvcc.KeyValue;
import io.vetcd.raft.ConfState;
import io.vetcd.server.Member;
import io.vetcd.server.Membership;
import io.vetcd.server.MembershipRecord;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * Builds a vetcd backend from an etcd 3.4 bbolt backend: every kept revision of the key space (with
 * etcd's compaction state), leases, users, roles and the auth switch, membership, all at the raft
 * index the backend was applied through. Used when a vetcd member takes over an etcd data directory
 * and when it installs a snapshot an etcd (or vetcd) leader sent. Blocking.
 */
public final class EtcdBackendImport {
    /** What the new backend holds. */
    public record Imported(long revision, long compactRevision, long keys, long versions, long leases) { }

    private EtcdBackendImport() {}

    /**
     * Writes the backend into {@code dir} (a new MVCC store), as applied through {@code applied}; the
     * membership record is written when {@code membership} names members.
     */
    public static Imported write(BoltReader bolt, Path dir, long applied, Membership membership) throws IOException {
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
            store.flush();
        }
                return new Imported(revision, scheduled, keys, versions, leases);
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

    private static ConfState confState(List<Member> members) {
        TreeSet<Long> voters = new TreeSet<>(Long::compareUnsigned);
        TreeSet<Long> learners = new TreeSet<>(Long::compareUnsigned);
        for (Member m : members) (m.learner() ? learners : voters).add(m.id());
        return new ConfState(voters, learners);
    }

    private static BoltReader.Bucket required(BoltReader bolt, String name) throws IOException {
        BoltReader.Bucket b = bolt.bucket(name);
        if (b == null) throw new EtcdFormatException("the etcd backend has no " + name + " bucket");
        return b;
    }

    /** etcd stores a compaction as a revision key (main, '_', sub); 0 when absent. */
    private static long revisionMain(byte[] v) {
        return v == null || v.length < 8 ? 0 : ByteBuffer.wrap(v).getLong();
    }

    private static byte[] bytes(String s) { return s.getBytes(StandardCharsets.UTF_8); }
}
