package io.vetcd.etcdformat;

import com.google.protobuf.InvalidProtocolBufferException;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vetcd.pb.raft.ConfChange;
import io.vetcd.server.Member;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * An etcd 3.4 cluster's membership, rebuilt the way etcd itself rebuilds it on start: the members
 * in the v2 store of the newest raft snapshot, then every conf change and member-attributes publish
 * in the WAL after it. (etcd 3.4 also mirrors members into the bbolt {@code members} bucket, but
 * {@code etcdctl snapshot restore} leaves the old cluster's members there, so that copy is only a
 * fallback for a data directory whose WAL no longer reaches back to a snapshot.)
 */
public final class EtcdMembership {

    private final Map<Long, Member> members = new LinkedHashMap<>();
    private String clusterVersion;
    private final Set<Long> removed = new TreeSet<>();

    public List<Member> members() { return new ArrayList<>(members.values()); }

    public boolean isEmpty() { return members.isEmpty(); }

    /** Ids removed from the cluster ({@code /0/removed_members} in the v2 store, or removals replayed). */
    public Set<Long> removed() { return removed; }

    /** The cluster version the v2 store holds ({@code /0/version}), or null. */
    public String clusterVersion() { return clusterVersion; }

    /** Members recorded in a 3.4 snapshot's v2 store JSON ({@code /0/members/<hex id>/...}). */
    public static EtcdMembership fromV2Store(byte[] json) {
        EtcdMembership m = new EtcdMembership();
        JsonObject root = parse(json, "snapshot v2 store").getJsonObject("Root");
        JsonObject zero = children(children(root).getJsonObject("0"));
        JsonObject version = zero.getJsonObject("version");
        if (version != null && version.getString("Value") != null) m.clusterVersion = version.getString("Value");
        for (String hex : children(zero.getJsonObject("removed_members")).fieldNames()) {
            m.removed.add(Long.parseUnsignedLong(hex, 16));
        }
        JsonObject byId = children(zero.getJsonObject("members"));
        for (String hex : byId.fieldNames()) {
            JsonObject attrs = children(byId.getJsonObject(hex));
            JsonObject raft = valueJson(attrs.getJsonObject("raftAttributes"));
            JsonObject named = valueJson(attrs.getJsonObject("attributes"));
            long id = Long.parseUnsignedLong(hex, 16);
            m.members.put(id, new Member(id, named.getString("name", ""), strings(raft.getJsonArray("peerURLs")),
                strings(named.getJsonArray("clientURLs")), raft.getBoolean("isLearner", false)));
        }
        return m;
    }

    /** Members from the bbolt {@code members} bucket: key = hex id, value = member JSON. */
    public static EtcdMembership fromBoltBucket(BoltReader.Bucket bucket) throws IOException {
        EtcdMembership m = new EtcdMembership();
        if (bucket == null) return m;
        bucket.forEach((k, v) -> {
            if (v == null) return;
            long id = Long.parseUnsignedLong(new String(k, StandardCharsets.US_ASCII), 16);
            m.members.put(id, member(id, parse(v, "members bucket")));
        });
        return m;
    }

    /** Applies a committed raft conf change, as etcd's applyConfChange does. */
    public void apply(ConfChange cc) {
        long id = cc.getNodeID();
        switch (cc.getType()) {
            case ConfChangeAddNode, ConfChangeAddLearnerNode -> {
                Member known = members.get(id);
                boolean learner = cc.getType() == io.vetcd.pb.raft.ConfChangeType.ConfChangeAddLearnerNode;
                if (known != null) {
                    // a learner being promoted
                    members.put(id, new Member(id, known.name(), known.peerUrls(), known.clientUrls(), learner));
                } else {
                    Member m = member(id, parse(cc.getContext().toByteArray(), "conf change context"));
                    members.put(id, new Member(id, m.name(), m.peerUrls(), m.clientUrls(), learner || m.learner()));
                }
            }
            case ConfChangeRemoveNode -> {
                members.remove(id);
                removed.add(id);
            }
            case ConfChangeUpdateNode -> {
                Member known = members.get(id);
                if (known != null) {
                    Member m = member(id, parse(cc.getContext().toByteArray(), "conf change context"));
                    members.put(id, new Member(id, known.name(), m.peerUrls(), known.clientUrls(), known.learner()));
                }
            }
        }
    }

    /**
     * Applies a committed normal entry if it is etcd 3.4's member-attributes publish (a v2 PUT of
     * {@code /0/members/<hex id>/attributes}); other entries do not touch membership.
     */
    public void applyNormal(byte[] data) {
        io.vetcd.pb.etcdwal.Request v2 = v2Request(data);
        if (v2 == null) return;
        String version = io.vetcd.server.V2Requests.clusterVersion(v2);
        if (version != null) clusterVersion = version;
        io.vetcd.server.V2Requests.Attributes a = io.vetcd.server.V2Requests.attributes(v2);
        if (a == null) return;
        Member known = members.get(a.memberId());
        if (known != null) {
            members.put(a.memberId(), new Member(a.memberId(), a.name(), known.peerUrls(), a.clientUrls(), known.learner()));
        }
    }

    private static io.vetcd.pb.etcdwal.Request v2Request(byte[] data) {
        try {
            return io.vetcd.server.EntryPayload.decode(data) instanceof io.vetcd.server.EntryPayload.V2 v2 ? v2.request() : null;
        } catch (InvalidProtocolBufferException e) {
            return null;
        }
    }

    /** What a member published about itself (etcd 3.4's v2 attributes publish), or null for any other entry. */
    public static io.vetcd.server.V2Requests.Attributes publishedAttributes(byte[] data) {
        io.vetcd.pb.etcdwal.Request v2 = v2Request(data);
        return v2 == null ? null : io.vetcd.server.V2Requests.attributes(v2);
    }

    /** etcd's member JSON: {@code {"id":..,"peerURLs":[..],"name":..,"clientURLs":[..],"isLearner":..}}. */
    /** Ids from the bbolt {@code members_removed} bucket (key = hex id, value "removed"). */
    public static Set<Long> removedFromBoltBucket(BoltReader.Bucket bucket) throws IOException {
        Set<Long> ids = new TreeSet<>();
        if (bucket == null) return ids;
        bucket.forEach((k, v) -> {
            if (v != null) ids.add(Long.parseUnsignedLong(new String(k, StandardCharsets.US_ASCII), 16));
        });
        return ids;
    }

    private static Member member(long id, JsonObject j) {
        return new Member(id, j.getString("name", ""), strings(j.getJsonArray("peerURLs")),
            strings(j.getJsonArray("clientURLs")), j.getBoolean("isLearner", false));
    }

    private static JsonObject children(JsonObject node) {
        JsonObject c = node == null ? null : node.getJsonObject("Children");
        return c == null ? new JsonObject() : c;
    }

    private static JsonObject valueJson(JsonObject node) {
        String v = node == null ? null : node.getString("Value");
        return v == null || v.isEmpty() ? new JsonObject() : parse(v.getBytes(StandardCharsets.UTF_8), "v2 store value");
    }

    private static List<String> strings(JsonArray a) {
        return a == null ? List.of() : a.stream().map(String::valueOf).toList();
    }

    private static JsonObject parse(byte[] json, String what) {
        try {
            return new JsonObject(new String(json, StandardCharsets.UTF_8));
        } catch (DecodeException | ClassCastException e) {
            throw new EtcdFormatException("cannot read " + what + " as JSON: " + e.getMessage(), e);
        }
    }
}
