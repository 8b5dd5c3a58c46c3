package io.vetcd.raft;

/** A {@link Storage} may throw this from {@code snapshot()} while one is being built; raft retries later. */
public final class SnapshotTemporarilyUnavailableException extends RuntimeException {
    public SnapshotTemporarilyUnavailableException() {
        super("snapshot is temporarily unavailable", null, false, false);
    }
}
