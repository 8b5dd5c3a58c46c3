package io.vetcd.raft;

/** Volatile state worth telling the application about (not persisted): who leads, and what we are. */
public record SoftState(long leader, Role role) {}
