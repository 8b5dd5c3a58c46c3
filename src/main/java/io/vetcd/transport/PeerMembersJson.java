package io.vetcd.transport;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vetcd.server.ClusterIds;
import io.vetcd.server.Member;

import java.util.ArrayList;
import java.util.List;

/**
 * The members as etcd's peer {@code /members} route prints them (hex ids,
 * peerURLs, name and clientURLs when set, isLearner when true): written by
 * our peer routes, read by a joining member and by a forwarded promotion.
 */
public final class PeerMembersJson {
    private PeerMembersJson() {}

    public static JsonArray encode(List<Member> members) {
        JsonArray a = new JsonArray();
        for (Member m : members) {
            JsonObject o = new JsonObject().put("id", ClusterIds.hex(m.id())).put("peerURLs", new JsonArray(m.peerUrls()));
            if (!m.name().isEmpty()) o.put("name", m.name());
            if (!m.clientUrls().isEmpty()) o.put("clientURLs", new JsonArray(m.clientUrls()));
            if (m.learner()) o.put("isLearner", true);
            a.add(o);
        }
        return a;
    }

    public static List<Member> decode(String json) {
        List<Member> out = new ArrayList<>();
        for (Object o : new JsonArray(json)) {
            JsonObject j = (JsonObject) o;
            out.add(new Member(Long.parseUnsignedLong(j.getString("id"), 16), j.getString("name", ""),
                strings(j.getJsonArray("peerURLs")), strings(j.getJsonArray("clientURLs")), j.getBoolean("isLearner", false)));
        }
        return out;
    }

    private static List<String> strings(JsonArray a) {
        List<String> out = new ArrayList<>();
        if (a != null) for (Object o : a) out.add(String.valueOf(o));
        return out;
    }
}
