package io.vetcd.etcdformat;

import com.google.protobuf.InvalidProtocolBufferException;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vetcd.pb.etcdwal.InternalRaftRequest;
import io.vetcd.pb.etcdwal.Request;
import io.vetcd.pb.raft.ConfChange;
import io.vetcd.server.Member;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An etcd 3.4 cluster's membership, rebuilt the way etcd itself rebuilds it on start: the members
 * in the v2 store of the newest raft snapshot, then every conf change and member-attributes publish
 * in the WAL after it. (etcd 3.4 also mirrors members into the bbolt {@code members} bucket, but
 * {@code etcdctl snapshot restore} leaves the old cluster's members there, so that copy is only a
 * fallback for a data directory whose WAL no longer reaches back to a snapshot.)
 */
public final class EtcdMembership {
    private static final String MEMBERS_PREFIX = "/0/members/";

    private final Map<Long, Member> members = new LinkedHashMap<>();

    public List<Member> members() { return new ArrayList<>(members.values()); }

    public boolean isEmpty() { return members.isEmpty(); }

    /** Members recorded in a 3.4 snapshot's v2 store JSON ({@code /0/members/<hex id>/...}). */
    public static EtcdMembership fromV2Store(byte[] json) {
        EtcdMembership m = new EtcdMembership();
        JsonObject root = parse(json, "snapshot v2 store").getJsonObject("Root");
        JsonObject byId = children(children(children(root).getJsonObject("0")).getJsonObject("members"));
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
            case ConfChangeRemoveNode -> members.remove(id);
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
        Attributes a = publishedAttributes(data);
        if (a == null) return;
        Member known = members.get(a.id());
        if (known != null) {
            members.put(a.id(), new Member(a.id(), a.name(), known.peerUrls(), a.clientUrls(), known.learner()));
        }
    }

    /** What a member published about itself. */
    public record Attributes(long id, String name, List<String> clientUrls) {}

    /** The attributes a normal entry publishes, or null if it is not such a publish. */
    public static Attributes publishedAttributes(byte[] data) {
        if (data.length == 0) return null;
        // etcd 3.4 proposes v2 requests bare (pb.Request) and older entries may wrap them in
        // InternalRaftRequest.v2; the two share field 1, so try both readings.
        Attributes a = null;
        try {
            a = publish(Request.parseFrom(data));
        } catch (InvalidProtocolBufferException e) {
            // not a bare v2 request
        }
        if (a != null) return a;
        try {
            InternalRaftRequest r = InternalRaftRequest.parseFrom(data);
            return r.hasV2() ? publish(r.getV2()) : null;
        } catch (InvalidProtocolBufferException e) {
            return null;
        }
    }

    private static Attributes publish(Request v2) {
        String path = v2.getPath();
        if (!"PUT".equals(v2.getMethod()) || !path.startsWith(MEMBERS_PREFIX) || !path.endsWith("/attributes")) return null;
        String hex = path.substring(MEMBERS_PREFIX.length(), path.length() - "/attributes".length());
        long id;
        try {
            id = Long.parseUnsignedLong(hex, 16);
        } catch (NumberFormatException e) {
            return null;
        }
        JsonObject attrs = parse(v2.getVal().getBytes(StandardCharsets.UTF_8), "published attributes");
        return new Attributes(id, attrs.getString("name", ""), strings(attrs.getJsonArray("clientURLs")));
    }

    /** etcd's member JSON: {@code {"id":..,"peerURLs":[..],"name":..,"clientURLs":[..],"isLearner":..}}. */
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
