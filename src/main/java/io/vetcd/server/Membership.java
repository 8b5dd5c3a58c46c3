package io.vetcd.server;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The cluster's members as this member knows them, and the ids etcd derives
 * from them. Readers on any thread see an immutable snapshot.
 *
 * <p>Like etcd's cluster it also remembers every id removed from the cluster: a removed member that
 * comes back is refused by its former peers (410 on its streams, 403 on its posts), and learning that
 * this member itself was removed ({@link #localRemoved}) stops it, as etcd stops.
 */
public final class Membership {
    private final long localId;
    private volatile long clusterId;
    private volatile Map<Long, Member> members;
    /** The cluster version raft agreed on (etcd's {@code /0/version}, e.g. "3.4.0"), or null before any was set. */
    private volatile String clusterVersion;
    private volatile Set<Long> removed = Set.of();
    private final List<Consumer<String>> removedListeners = new CopyOnWriteArrayList<>();
    /** How this member learnt it was removed, once it has. */
    private String localRemovedHow;

    public Membership(long localId, long clusterId, List<Member> members) {
        this.localId = localId;
        this.clusterId = clusterId;
        Map<Long, Member> m = new LinkedHashMap<>();
        for (Member x : members) m.put(x.id(), x);
        this.members = Collections.unmodifiableMap(m);
    }

    /** The members of a new cluster from --initial-cluster (name -> peer URLs), ids as etcd derives them. */
    public static Membership bootstrap(String localName, Map<String, List<String>> initialCluster,
                                       String token, List<String> localClientUrls) {
        List<Member> ms = new ArrayList<>();
        long local = 0;
        for (var e : initialCluster.entrySet()) {
            long id = ClusterIds.memberId(e.getValue(), token, null);
            boolean isLocal = e.getKey().equals(localName);
            if (isLocal) local = id;
            ms.add(new Member(id, e.getKey(), e.getValue(), isLocal ? localClientUrls : List.of(), false));
        }
        if (local == 0) throw new IllegalArgumentException("--initial-cluster has no member named " + localName);
        long cid = ClusterIds.clusterId(ms.stream().map(Member::id).toList());
        return new Membership(local, cid, ms);
    }

    public long localId() { return localId; }
    public long clusterId() { return clusterId; }
    /** By id, as etcd's cluster lists its members (unsigned order), whatever order they joined in. */
    public List<Member> members() {
        List<Member> sorted = new ArrayList<>(members.values());
        sorted.sort((a, b) -> Long.compareUnsigned(a.id(), b.id()));
        return List.copyOf(sorted);
    }
    public Member local() { return members.get(localId); }

    /** A member removed by a conf change: gone from the members, and its id remembered as removed. */
    public synchronized void remove(long id) {
        Map<Long, Member> copy = new LinkedHashMap<>(members);
        copy.remove(id);
        members = Collections.unmodifiableMap(copy);
        if (id != 0) addRemoved(List.of(id)); // a conf change raft neutralised names no member
    }

    /** As a snapshot has it: its members replace ours; its removed ids join ours (a removed id never returns). */
    public synchronized void replaceWith(Collection<Member> ms, Collection<Long> removedIds) {
        Map<Long, Member> m = new LinkedHashMap<>();
        for (Member x : ms) m.put(x.id(), x);
        members = Collections.unmodifiableMap(m);
        addRemoved(removedIds);
    }

    /** Adds ids known to have been removed (from the backend's record or an etcd snapshot). */
    public synchronized void addRemoved(Collection<Long> ids) {
        if (ids.isEmpty()) return;
        Set<Long> r = new TreeSet<>(removed);
        r.addAll(ids);
        removed = Collections.unmodifiableSet(r);
    }

    /** Whether {@code id} was removed from the cluster (etcd's IsIDRemoved). */
    public boolean isRemoved(long id) { return removed.contains(id); }

    /** The ids removed from the cluster, ascending (signed order, as stored). */
    public Set<Long> removed() { return removed; }

    /**
     * This member learnt it is no longer part of the cluster: it applied its own removal, or a peer
     * refused it as removed. The listeners run once, on the caller's thread; {@code how} says how.
     */
    public void localRemoved(String how) {
        synchronized (this) {
            if (localRemovedHow != null) return;
            localRemovedHow = how;
        }
        for (Consumer<String> l : removedListeners) l.accept(how);
    }

    /** Called once when this member learns it was removed ({@link #localRemoved}); at once if it already has. */
    public void onLocalRemoved(Consumer<String> listener) {
        String already;
        synchronized (this) {
            removedListeners.add(listener);
            already = localRemovedHow;
        }
        if (already != null) listener.accept(already);
    }

    public Member get(long id) { return members.get(id); }

    public String clusterVersion() { return clusterVersion; }

    public void clusterVersion(String v) { this.clusterVersion = v; }

    public synchronized void update(Member m) {
        Map<Long, Member> copy = new LinkedHashMap<>(members);
        copy.put(m.id(), m);
        members = Collections.unmodifiableMap(copy);
    }
}
