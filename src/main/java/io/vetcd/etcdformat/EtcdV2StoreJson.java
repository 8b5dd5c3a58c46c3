package io.vetcd.etcdformat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vetcd.server.Member;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The data of a raft snapshot as etcd 3.4 makes and reads it: its v2 store, saved as JSON. etcd keeps
 * membership there ({@code /0/members/<hex id>/raftAttributes} and {@code .../attributes}) and the
 * cluster version ({@code /0/version}) and the ids removed from the cluster ({@code /0/removed_members/<hex
 * id>}, empty values: a removed member that comes back is refused); an etcd follower that installs a vetcd leader's snapshot
 * recovers them from it ({@code Store.Recovery}, then {@code membersFromStore}). Only the nodes etcd
 * reads are written: directories have {@code Children}, values have {@code Value}; everything else
 * keeps the zero value etcd's decoder gives it. {@link EtcdMembership#fromV2Store} reads it back.
 */
public final class EtcdV2StoreJson {
    private static final String NO_EXPIRY = "0001-01-01T00:00:00Z";

    private EtcdV2StoreJson() {}

    public static byte[] write(List<Member> members, java.util.Collection<Long> removed, String clusterVersion, long index) {
        JsonObject byId = new JsonObject();
        for (Member m : members) {
            String hex = Long.toHexString(m.id());
            String base = "/0/members/" + hex;
            JsonObject raft = new JsonObject().put("peerURLs", new JsonArray(m.peerUrls()));
            if (m.learner()) raft.put("isLearner", true);
            JsonObject attrs = new JsonObject();
            if (!m.name().isEmpty()) attrs.put("name", m.name());
            if (!m.clientUrls().isEmpty()) attrs.put("clientURLs", new JsonArray(m.clientUrls()));
            byId.put(hex, dir(base, index, new JsonObject()
                .put("raftAttributes", value(base + "/raftAttributes", index, raft.encode()))
                .put("attributes", value(base + "/attributes", index, attrs.encode()))));
        }
        JsonObject zero = new JsonObject().put("members", dir("/0/members", index, byId));
        if (clusterVersion != null) zero.put("version", value("/0/version", index, clusterVersion));
        if (!removed.isEmpty()) {
            JsonObject gone = new JsonObject();
            for (long id : removed) gone.put(Long.toHexString(id), value("/0/removed_members/" + Long.toHexString(id), index, ""));
            zero.put("removed_members", dir("/0/removed_members", index, gone));
        }
        JsonObject root = dir("/", 0, new JsonObject()
            .put("0", dir("/0", 0, zero))
            .put("1", dir("/1", 0, new JsonObject())));
        return new JsonObject().put("Root", root).put("CurrentIndex", index).put("CurrentVersion", 2)
            .encode().getBytes(StandardCharsets.UTF_8);
    }

    private static JsonObject dir(String path, long index, JsonObject children) {
        return node(path, index).put("Value", "").put("Children", children);
    }

    private static JsonObject value(String path, long index, String value) {
        return node(path, index).put("Value", value).putNull("Children");
    }

    private static JsonObject node(String path, long index) {
        return new JsonObject().put("Path", path).put("CreatedIndex", index).put("ModifiedIndex", index)
            .put("ExpireTime", NO_EXPIRY);
    }
}
