package io.vetcd.etcdformat;

import io.vetcd.auth.AuthStore;
import java.util.Map;

import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vetcd.lease.LeaseStore;
import io.vetcd.mvcc.HistoryView;
import io.vetcd.server.AlarmStore;
import io.vetcd.mvcc.MvccStore;
import io.vetcd.pb.lease.Lease;
import io.vetcd.pb.mvcc.KeyValue;
import io.vetcd.server.EtcdServer;
import io.vetcd.server.Member;
import io.vetcd.server.MembershipRecord;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Writes one consistent point in time of a member's state as etcd 3.4 lays out its bbolt backend,
 * so etcdctl's {@code snapshot status} and {@code snapshot restore} (and an etcd started on the
 * restored directory) see the same keys, revisions, leases and members:
 * <ul>
 *   <li>{@code key}: every version kept after compaction, keyed by {@link EtcdRevisionKey}, value an
 *   mvccpb.KeyValue (a tombstone's holds only the key);</li>
 *   <li>{@code meta}: {@code consistent_index} (8 bytes big-endian) and, once compacted,
 *   {@code scheduledCompactRev}/{@code finishedCompactRev} (17-byte revisions; we export the
 *   state after compaction has finished);</li>
 *   <li>{@code lease}: 8-byte big-endian id to leasepb.Lease{ID, TTL};</li>
 *   <li>{@code members}: hex id to the member's JSON, {@code members_removed}: hex id to "removed"
 *   for every id removed from the cluster, {@code cluster}: {@code clusterVersion};</li>
 *   <li>{@code alarm} (the raised alarms), {@code auth} ({@code authEnabled}, {@code authRevision}),
 *   {@code authUsers}, {@code authRoles} (authpb User and Role by name, bcrypt hashes as they are).</li>
 * </ul>
 * The history is read from a RocksDB snapshot in key order and re-sorted by revision in a
 * scratch store, so memory stays bounded whatever the database size.
 */
public final class EtcdBackendExport {
    private static final byte[] AUTH_ENABLED = bytes("authEnabled");
    private static final byte[] AUTH_REVISION = bytes("authRevision");
    private static final byte[] CLUSTER_VERSION = bytes("clusterVersion");
    private static final byte[] CONSISTENT_INDEX = bytes("consistent_index");
    private static final byte[] FINISHED_COMPACT = bytes("finishedCompactRev");
    private static final byte[] SCHEDULED_COMPACT = bytes("scheduledCompactRev");

    private EtcdBackendExport() {}

    /**
     * Writes a complete bbolt file at {@code file}, using {@code scratchDir} (created and removed
     * here) to sort the history. Blocking; call from a worker.
     *
     * @param fallbackMembers used when the store holds no membership record yet
     */
    public static void toBoltFile(MvccStore store, List<Member> fallbackMembers, Path file, Path scratchDir)
            throws IOException {
        try (BoltWriter bolt = new BoltWriter(file)) {
            write(store, fallbackMembers, scratchDir, bolt);
            bolt.finish();
        }
    }

    /** Feeds the buckets, in bbolt's (byte) order, to {@code sink}; returns the revision exported. */
    public static long write(MvccStore store, List<Member> fallbackMembers, Path scratchDir, BucketSink sink)
            throws IOException {
        long consistentIndex;
        long compactRev;
        long revision;
        List<long[]> leases = new ArrayList<>();
        List<Member> members;
        java.util.Set<Long> removed = new java.util.TreeSet<>();
        String clusterVersion = EtcdServer.CLUSTER_VERSION;
        List<byte[]> alarms = new ArrayList<>();
        byte[] authEnabled;
        byte[] authRevision;
        List<Map.Entry<byte[], byte[]>> users;
        List<Map.Entry<byte[], byte[]>> roles;
        try (ScratchSorter history = new ScratchSorter(scratchDir)) {
            // Read everything from one snapshot, then let it go before the (longer) writing phase.
            try (HistoryView view = store.openHistoryView()) {
                consistentIndex = view.consistentIndex();
                revision = view.currentRevision();
                compactRev = view.compactRevision();
                LeaseStore.forEachLease(view, (id, ttl) -> leases.add(new long[]{id, ttl}));
                // etcd keys its alarm bucket by the AlarmMember's bytes, with no value
                AlarmStore raised = new AlarmStore();
                raised.load(view);
                for (var a : raised.get(io.vetcd.pb.etcdserver.AlarmType.NONE)) alarms.add(a.toByteArray());
                alarms.sort(java.util.Arrays::compareUnsigned);
                // users and roles are stored as etcd stores them (authpb bytes by name)
                authEnabled = view.getMeta(AuthStore.ENABLED_KEY);
                authRevision = view.getMeta(AuthStore.REVISION_KEY);
                users = view.scanMeta(AuthStore.USERS);
                roles = view.scanMeta(AuthStore.ROLES);
                JsonObject record = MembershipRecord.read(view);
                members = record == null ? fallbackMembers : MembershipRecord.members(record);
                if (record != null) removed.addAll(MembershipRecord.removed(record));
                String agreed = record == null ? null : MembershipRecord.clusterVersion(record);
                if (agreed != null) clusterVersion = agreed;
                view.forEachRetainedVersion((main, sub, tombstone, kv) -> history.add(
                    EtcdRevisionKey.of(main, sub, tombstone),
                    (tombstone ? KeyValue.newBuilder().setKey(kv.getKey()).build() : kv).toByteArray()));
            } catch (IOException | RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IOException(e);
            }

            sink.bucket(bytes("alarm"));
            for (byte[] a : alarms) sink.put(a, new byte[0]);
            sink.bucket(bytes("auth"));
            if (authEnabled != null) sink.put(AUTH_ENABLED, authEnabled);
            sink.put(AUTH_REVISION, authRevision != null ? authRevision : longBytes(1));
            sink.bucket(bytes("authRoles"));
            for (var r : roles) sink.put(java.util.Arrays.copyOfRange(r.getKey(), AuthStore.ROLES.length, r.getKey().length), r.getValue());
            sink.bucket(bytes("authUsers"));
            for (var u : users) sink.put(java.util.Arrays.copyOfRange(u.getKey(), AuthStore.USERS.length, u.getKey().length), u.getValue());
            sink.bucket(bytes("cluster"));
            sink.put(CLUSTER_VERSION, bytes(clusterVersion));
            sink.bucket(bytes("key"));
            history.forEachSorted(sink::put);
        }
        sink.bucket(bytes("lease"));
        for (long[] l : leases) {
            sink.put(longBytes(l[0]), Lease.newBuilder().setID(l[0]).setTTL(l[1]).build().toByteArray());
        }
        sink.bucket(bytes("members"));
        List<Member> sorted = new ArrayList<>(members);
        sorted.sort(Comparator.comparing(m -> Long.toHexString(m.id())));
        for (Member m : sorted) {
            sink.put(bytes(Long.toHexString(m.id())), bytes(memberJson(m)));
        }
        sink.bucket(bytes("members_removed"));
        List<String> gone = new ArrayList<>();
        for (long id : removed) gone.add(Long.toHexString(id));
        java.util.Collections.sort(gone); // bbolt keys in byte order
        for (String hex : gone) sink.put(bytes(hex), bytes("removed"));
        sink.bucket(bytes("meta"));
        sink.put(CONSISTENT_INDEX, longBytes(consistentIndex));
        if (compactRev > 0) {
            sink.put(FINISHED_COMPACT, EtcdRevisionKey.of(compactRev, 0, false));
            sink.put(SCHEDULED_COMPACT, EtcdRevisionKey.of(compactRev, 0, false));
        }
        return revision;
    }

    /** The member as etcd's json.Marshal writes it (field order and omitempty as in membership.Member). */
    static String memberJson(Member m) {
        StringBuilder b = new StringBuilder("{\"id\":").append(Long.toUnsignedString(m.id()))
            .append(",\"peerURLs\":").append(Json.encode(m.peerUrls()));
        if (m.learner()) b.append(",\"isLearner\":true");
        if (m.name() != null && !m.name().isEmpty()) b.append(",\"name\":").append(Json.encode(m.name()));
        if (!m.clientUrls().isEmpty()) b.append(",\"clientURLs\":").append(Json.encode(m.clientUrls()));
        return b.append('}').toString();
    }

    private static byte[] longBytes(long v) {
        return ByteBuffer.allocate(8).putLong(v).array();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
