package io.vetcd.raft;

/** What a restarting node reads back from durable storage. */
public record InitialState(HardState hardState, ConfState confState) {}
