package io.vetcd.server;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The cluster's members as this member knows them, and the ids etcd derives
 * from them. Readers on any thread see an immutable snapshot.
 */
public final class Membership {
    private final long localId;
    private volatile long clusterId;
    private volatile Map<Long, Member> members;
    /** The cluster version raft agreed on (etcd's {@code /0/version}, e.g. "3.4.0"), or null before any was set. */
    private volatile String clusterVersion;

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

    public synchronized void remove(long id) {
        Map<Long, Member> copy = new LinkedHashMap<>(members);
        copy.remove(id);
        members = Collections.unmodifiableMap(copy);
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
