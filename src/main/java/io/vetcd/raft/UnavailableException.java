package io.vetcd.raft;

/** Thrown by {@link Storage} when asked for log entries beyond its last index. */
public final class UnavailableException extends RuntimeException {
    public UnavailableException(long index) {
        super("requested entry at index " + index + " is unavailable", null, false, false);
    }
}
