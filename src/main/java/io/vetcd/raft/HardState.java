package io.vetcd.raft;

/** The raft state that must be on stable storage before messages are sent: term, vote, commit. */
public record HardState(long term, long vote, long commit) {
    public static final HardState EMPTY = new HardState(0, 0, 0);

    public boolean isEmpty() { return term == 0 && vote == 0 && commit == 0; }
}
