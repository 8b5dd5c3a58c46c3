package io.vetcd.etcdformat;

import io.vetcd.mvcc.MvccStore;
import io.vetcd.raft.Snapshot;
import io.vetcd.server.Member;
import io.vetcd.server.Membership;
import io.vetcd.server.SnapshotFormat;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * etcd 3.4's raft snapshot, both ways: the data is its v2 store JSON ({@link EtcdV2StoreJson}), the
 * backend a bbolt file ({@link EtcdBackendExport} out, {@link EtcdBackendImport} in) whose
 * {@code consistent_index} says how far it is applied, so an etcd follower skips the entries it
 * already holds, and so does a vetcd one.
 */
public final class EtcdSnapshotFormat implements SnapshotFormat {
    @Override
    public byte[] data(Membership membership, long index) {
        return EtcdV2StoreJson.write(membership.members(), membership.removed(), membership.clusterVersion(), index);
    }

    @Override
    public void writeBackend(MvccStore store, Membership membership, OutputStream out, Path scratchDir) throws IOException {
        Files.createDirectories(scratchDir);
        Path file = Files.createTempFile(scratchDir, "snapshot-db-", ".db");
        try {
            EtcdBackendExport.toBoltFile(store, membership.members(), file, scratchDir.resolve(file.getFileName() + ".sort"));
            Files.copy(file, out);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    @Override
    public Path readBackend(Snapshot snapshot, Path payloadDir, Membership local) throws IOException {
        Path db = payloadDir.resolve("db");
        Path checkpoint = payloadDir.resolve("backend");
        try (BoltReader bolt = BoltReader.open(db)) {
            BoltReader.Bucket meta = bolt.bucket("meta");
            byte[] ci = meta == null ? null : meta.get("consistent_index".getBytes(StandardCharsets.UTF_8));
            if (ci == null || ci.length != 8) throw new EtcdFormatException("the snapshot's backend has no consistent index");
            long applied = ByteBuffer.wrap(ci).getLong();
            EtcdMembership named = snapshot.data().length > 0 ? EtcdMembership.fromV2Store(snapshot.data())
                : EtcdMembership.fromBoltBucket(bolt.bucket("members"));
            List<Member> members = named.isEmpty() ? EtcdMembership.fromBoltBucket(bolt.bucket("members")).members() : named.members();
            Membership m = new Membership(local.localId(), local.clusterId(), members);
            m.clusterVersion(named.clusterVersion() != null ? named.clusterVersion() : local.clusterVersion());
            // etcd 3.4 recovers removed ids from the v2 store; its backend keeps a copy too
            m.addRemoved(named.removed());
            m.addRemoved(EtcdMembership.removedFromBoltBucket(bolt.bucket("members_removed")));
            EtcdBackendImport.write(bolt, checkpoint, applied, m);
        }
        return checkpoint;
    }
}
