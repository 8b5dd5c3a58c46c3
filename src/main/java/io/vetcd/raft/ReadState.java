package io.vetcd.raft;

/**
 * Answer to a {@link RaftNode#readIndex} request: once the application has applied through
 * {@code index}, a read identified by {@code requestCtx} observes every write committed before the
 * request was made.
 */
public record ReadState(long index, byte[] requestCtx) {}
