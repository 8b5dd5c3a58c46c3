package io.vetcd.raft;

import java.util.Map;

/** A point-in-time description of a node; {@code progress} is filled only on the leader. */
public record Status(long id, long leader, long term, long vote, long commit, long applied, Role role,
                     long leadTransferee, ConfState confState, Map<Long, PeerProgress> progress) {}
