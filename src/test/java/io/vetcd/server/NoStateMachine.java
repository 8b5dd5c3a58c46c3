package io.vetcd.server;

import io.vetcd.raft.ConfChange;
import io.vetcd.raft.ConfState;
import io.vetcd.raft.Entry;

import java.io.OutputStream;
import java.nio.file.Path;

/**
 * A state machine that applies nothing, for tests of the core's own handling (its log, its threads):
 * entries and membership changes are accepted, snapshots carry no data and cannot be restored or
 * sent. Tests that record what is applied extend it.
 */
class NoStateMachine implements ServerCore.StateMachine {
    @Override
    public ServerCore.Applied apply(Entry entry) {
        return ServerCore.Applied.NONE;
    }

    @Override
    public ServerCore.Applied applyConfChange(Entry entry, ConfChange cc, ConfState confState) {
        return ServerCore.Applied.NONE;
    }

    @Override
    public long restore(io.vetcd.raft.Snapshot snapshot, Path payloadDir) {
        throw new UnsupportedOperationException();
    }

    @Override
    public byte[] snapshotData(long index) {
        return new byte[0];
    }

    @Override
    public void writeSnapshotDb(OutputStream out, Path scratchDir) {
        throw new UnsupportedOperationException();
    }
}
