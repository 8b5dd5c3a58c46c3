package io.vetcd.server;

import io.vetcd.mvcc.MvccStore;
import io.vetcd.raft.Snapshot;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;

/**
 * How a raft snapshot's two parts look on the wire: its data (etcd: the v2 store as JSON, holding
 * members and the cluster version) and the backend sent after it (etcd: a bbolt file). One format
 * for every peer, etcd or vetcd; the implementation lives with the etcd file formats.
 */
public interface SnapshotFormat {
    /** The raft snapshot's data for the given membership, as of raft index {@code index}. */
    byte[] data(Membership membership, long index);

    /** Writes the backend of {@code store} as the leader sends it. Blocking. */
    void writeBackend(MvccStore store, Membership membership, OutputStream out, Path scratchDir) throws IOException;

    /**
     * Turns a received backend ({@code payloadDir/db}) into a checkpoint {@link MvccStore#loadFrom}
     * takes, with the membership the snapshot's data names (the local member and cluster ids kept).
     * Blocking; returns the checkpoint directory, inside {@code payloadDir}.
     */
    Path readBackend(Snapshot snapshot, Path payloadDir, Membership local) throws IOException;
}
