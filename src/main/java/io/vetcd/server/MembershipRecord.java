package io.vetcd.server;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vetcd.mvcc.MetaReader;
import io.vetcd.mvcc.WriteTxn;
import io.vetcd.raft.ConfState;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * How membership and raft's ConfState are kept in the backend: one JSON
 * record in the MVCC store's meta space, written in the same batch as the
 * conf-change entry's consistent index, so a restart sees them exactly as of
 * the last applied entry.
 */
public final class MembershipRecord {
    private static final byte[] KEY = "vetcd/membership".getBytes(StandardCharsets.UTF_8);

    private MembershipRecord() {}

    public static void write(WriteTxn txn, Membership m, ConfState cs) {
        JsonArray arr = new JsonArray();
        for (Member x : m.members()) {
            arr.add(new JsonObject().put("id", Long.toUnsignedString(x.id())).put("name", x.name())
                .put("peerURLs", new JsonArray(x.peerUrls())).put("clientURLs", new JsonArray(x.clientUrls()))
                .put("isLearner", x.learner()));
        }
        JsonObject o = new JsonObject().put("local", Long.toUnsignedString(m.localId()))
            .put("cluster", Long.toUnsignedString(m.clusterId())).put("members", arr)
            .put("voters", ids(cs.voters())).put("learners", ids(cs.learners()));
        if (m.clusterVersion() != null) o.put("clusterVersion", m.clusterVersion());
        if (!m.removed().isEmpty()) o.put("removed", ids(m.removed()));
        txn.putMeta(KEY, o.encode().getBytes(StandardCharsets.UTF_8));
    }

    /** The stored record, or null for a backend that has none yet. */
    public static JsonObject read(MetaReader store) {
        byte[] raw = store.getMeta(KEY);
        return raw == null ? null : new JsonObject(new String(raw, StandardCharsets.UTF_8));
    }

    public static List<Member> members(JsonObject o) {
        List<Member> members = new ArrayList<>();
        for (Object x : o.getJsonArray("members")) {
            JsonObject j = (JsonObject) x;
            members.add(new Member(Long.parseUnsignedLong(j.getString("id")), j.getString("name"),
                j.getJsonArray("peerURLs").stream().map(String::valueOf).toList(),
                j.getJsonArray("clientURLs").stream().map(String::valueOf).toList(),
                j.getBoolean("isLearner", false)));
        }
        return members;
    }

    /** The ids removed from the cluster (none in records written before they were kept). */
    public static List<Long> removed(JsonObject o) {
        List<Long> ids = new ArrayList<>();
        for (Object v : o.getJsonArray("removed", new JsonArray())) ids.add(Long.parseUnsignedLong(String.valueOf(v)));
        return ids;
    }

    /** The cluster version the record holds, or null. */
    public static String clusterVersion(JsonObject o) { return o.getString("clusterVersion"); }

    public static ConfState confState(JsonObject o) {
        TreeSet<Long> voters = new TreeSet<>();
        TreeSet<Long> learners = new TreeSet<>();
        for (Object v : o.getJsonArray("voters", new JsonArray())) voters.add(Long.parseUnsignedLong(String.valueOf(v)));
        for (Object v : o.getJsonArray("learners", new JsonArray())) learners.add(Long.parseUnsignedLong(String.valueOf(v)));
        return new ConfState(voters, learners);
    }

    private static JsonArray ids(java.util.Set<Long> ids) {
        JsonArray a = new JsonArray();
        for (long id : ids) a.add(Long.toUnsignedString(id));
        return a;
    }
}
