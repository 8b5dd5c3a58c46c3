package io.vetcd.node;

import io.vetcd.raft.ConfChange;
import io.vetcd.raft.ConfChangeType;
import io.vetcd.raft.ConfState;
import io.vetcd.raft.Entry;
import io.vetcd.raft.EntryType;
import io.vetcd.raft.HardState;
import io.vetcd.raft.MemoryStorage;
import io.vetcd.wal.Wal;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * {@code --force-new-cluster}: a member restarts as the only member of its cluster, with its data, its
 * id and the cluster's id (etcd's restartAsStandaloneNode). It is how an operator gets a cluster that
 * lost its quorum for good serving again from one survivor, then grows it back with {@code member add}.
 *
 * <p>On the recovered log: entries after the persisted commit index are dropped (no quorum is known to
 * have them), then, at the commit point and in the current term, conf changes that make this member a
 * voter (if it was a learner or unknown) and remove every other member, voters and learners alike (etcd
 * 3.4 removed only voters and left learners in a cluster they could never reach; 3.5 removes both). They
 * are written to the WAL with a hard state whose commit covers them, so a crash right after restarts
 * from the same forced state, and they apply like any conf change: the backend's membership, the
 * removed-members list, raft's configuration. A member that is already alone gets nothing appended and
 * restarts as usual (its uncommitted tail is its own, committed at its next election).
 *
 * <p>Unsafe by design, as in etcd: writes that a lost quorum acknowledged but this member never saw
 * are gone. Leaving the flag on at later restarts does nothing more.
 */
final class StandaloneRestart {
    private StandaloneRestart() {}

    /** What forcing changed, for the start's log. */
    record Forced(long commitIndex, int discarded, List<Long> removed, boolean addedSelf) {}

    /**
     * The conf-change entries that leave {@code self} the only voter.
     *
     * @param atApplied the membership as of the backend's applied index
     * @param applied   the backend's applied index
     * @param log       the recovered entries (any before {@code applied} are ignored)
     * @param from      the index the new entries follow: the commit index (and never below {@code applied})
     * @param selfContext the member as etcd's JSON, for an add of this member
     */
    static List<Entry> membershipEntries(ConfState atApplied, long applied, List<Entry> log, long from, long term,
                                         long self, byte[] selfContext) {
        TreeSet<Long> voters = new TreeSet<>(atApplied.voters());
        TreeSet<Long> learners = new TreeSet<>(atApplied.learners());
        for (Entry e : log) {
            if (e.index() <= applied || e.index() > from || e.type() != EntryType.CONF_CHANGE) continue;
            ConfChange cc = ConfChange.decode(e.data());
            switch (cc.type()) {
                case ADD_NODE -> { voters.add(cc.nodeId()); learners.remove(cc.nodeId()); }
                case ADD_LEARNER_NODE -> { learners.add(cc.nodeId()); voters.remove(cc.nodeId()); }
                case REMOVE_NODE -> { voters.remove(cc.nodeId()); learners.remove(cc.nodeId()); }
                case UPDATE_NODE -> { }
            }
        }
        List<Entry> out = new ArrayList<>();
        long next = from + 1;
        // this member becomes a voter first: raft must never be left without one
        if (!voters.contains(self)) {
            out.add(new Entry(term, next++, EntryType.CONF_CHANGE, new ConfChange(ConfChangeType.ADD_NODE, self, selfContext).encode()));
        }
        TreeSet<Long> others = new TreeSet<>(Long::compareUnsigned);
        others.addAll(voters);
        others.addAll(learners);
        others.remove(self);
        for (long id : others) {
            out.add(new Entry(term, next++, EntryType.CONF_CHANGE, new ConfChange(ConfChangeType.REMOVE_NODE, id).encode()));
        }
        return out;
    }

    /**
     * Forces the recovered state in {@code storage} (already restored from {@code wal}) to a one-member
     * cluster and makes that durable in the WAL before raft starts. Returns null if nothing was changed.
     */
    static Forced apply(Wal wal, MemoryStorage storage, ConfState atApplied, long applied, long self, byte[] selfContext) {
        HardState hs = storage.hardState();
        long from = Math.max(hs.commit(), applied);
        List<Entry> log = storage.lastIndex() >= storage.firstIndex()
            ? storage.entries(storage.firstIndex(), storage.lastIndex() + 1, Long.MAX_VALUE) : List.of();
        List<Entry> added = membershipEntries(atApplied, applied, log, from, hs.term(), self, selfContext);
        if (added.isEmpty()) return null;
        int discarded = (int) Math.max(0, storage.lastIndex() - from);
        long commit = added.get(added.size() - 1).index();
        HardState forced = new HardState(hs.term(), hs.vote(), commit);
        // the added entries overwrite the uncommitted tail, in the WAL and in memory
        wal.saveAndSync(forced, added);
        storage.append(added);
        storage.setHardState(forced);
        List<ConfChange> changes = added.stream().map(e -> ConfChange.decode(e.data())).toList();
        List<Long> removed = changes.stream().filter(cc -> cc.type() == ConfChangeType.REMOVE_NODE).map(ConfChange::nodeId).toList();
        return new Forced(commit, discarded, removed, changes.get(0).type() == ConfChangeType.ADD_NODE);
    }
}
