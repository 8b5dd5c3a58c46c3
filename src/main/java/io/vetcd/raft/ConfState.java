package io.vetcd.raft;

import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/** The membership of a cluster at some log position: who votes, and who only follows (learners). */
public record ConfState(SortedSet<Long> voters, SortedSet<Long> learners) {
    public static final ConfState EMPTY = new ConfState(new TreeSet<>(), new TreeSet<>());

    public ConfState {
        voters = java.util.Collections.unmodifiableSortedSet(new TreeSet<>(voters == null ? Set.of() : voters));
        learners = java.util.Collections.unmodifiableSortedSet(new TreeSet<>(learners == null ? Set.of() : learners));
    }

    public static ConfState ofVoters(long... ids) {
        TreeSet<Long> v = new TreeSet<>();
        for (long id : ids) v.add(id);
        return new ConfState(v, new TreeSet<>());
    }

    public boolean isEmpty() { return voters.isEmpty() && learners.isEmpty(); }

    public boolean contains(long id) { return voters.contains(id) || learners.contains(id); }
}
