package io.vetcd.transport;

import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vetcd.server.Member;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

/**
 * The members as etcd's peer {@code /members} route prints them (json.Encoder over
 * membership.Member): fields in the struct's order {@code id, peerURLs, isLearner, name,
 * clientURLs}, the last three left out when empty/false, and {@code id} an unsigned 64-bit JSON
 * number (it can be above Long.MAX_VALUE), then a newline. Written by our peer routes, read by a
 * joining member and by a forwarded promotion, from vetcd and etcd members alike.
 */
public final class PeerMembersJson {
    private PeerMembersJson() {}

    public static String encode(List<Member> members) {
        StringBuilder sb = new StringBuilder("[");
        for (Member m : members) {
            if (sb.length() > 1) sb.append(',');
            sb.append("{\"id\":").append(Long.toUnsignedString(m.id()));
            sb.append(",\"peerURLs\":").append(strings(m.peerUrls()));
            if (m.learner()) sb.append(",\"isLearner\":true");
            if (!m.name().isEmpty()) sb.append(",\"name\":").append(Json.encode(m.name()));
            if (!m.clientUrls().isEmpty()) sb.append(",\"clientURLs\":").append(strings(m.clientUrls()));
            sb.append('}');
        }
        return sb.append("]\n").toString();
    }

    private static String strings(List<String> l) {
        // Go encodes a nil slice as null; a member always has peer URLs, and clientURLs is omitted when empty
        return new JsonArray(new ArrayList<>(l)).encode();
    }

    public static List<Member> decode(String json) {
        List<Member> out = new ArrayList<>();
        for (Object o : new JsonArray(json)) {
            JsonObject j = (JsonObject) o;
            out.add(new Member(id(j.getValue("id")), j.getString("name", ""),
                strings(j.getJsonArray("peerURLs")), strings(j.getJsonArray("clientURLs")), j.getBoolean("isLearner", false)));
        }
        return out;
    }

    /** etcd's number; above Long.MAX_VALUE it parses as a BigInteger whose low 64 bits are the id. A hex string is what older vetcd members wrote. */
    private static long id(Object v) {
        if (v instanceof BigInteger b) {
            if (b.signum() < 0 || b.bitLength() > 64) throw new IllegalArgumentException("member id out of range: " + b);
            return b.longValue();
        }
        if (v instanceof Number n) {
            if (n.longValue() < 0 || n instanceof Double || n instanceof Float) throw new IllegalArgumentException("bad member id: " + n);
            return n.longValue();
        }
        if (v instanceof String s) return Long.parseUnsignedLong(s, 16);
        throw new IllegalArgumentException("bad member id: " + v);
    }

    private static List<String> strings(JsonArray a) {
        List<String> out = new ArrayList<>();
        if (a != null) for (Object o : a) out.add(String.valueOf(o));
        return out;
    }
}
