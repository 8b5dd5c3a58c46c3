package io.vetcd.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A member as etcd writes it in JSON (its {@code membership.Member}): in conf-change contexts, in
 * the peer {@code /members} answer and in the v2 store of its snapshots. The id is a JSON number,
 * unsigned 64-bit (often above {@code Long.MAX_VALUE}); then peerURLs, isLearner only when true,
 * name and clientURLs only when set, the order Go's encoder gives.
 */
public final class MemberJson {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private MemberJson() {}

    public static String encode(Member m) {
        StringBuilder sb = new StringBuilder(128);
        sb.append("{\"id\":").append(Long.toUnsignedString(m.id())).append(",\"peerURLs\":");
        strings(sb, m.peerUrls());
        if (m.learner()) sb.append(",\"isLearner\":true");
        if (!m.name().isEmpty()) sb.append(",\"name\":").append(quote(m.name()));
        if (!m.clientUrls().isEmpty()) {
            sb.append(",\"clientURLs\":");
            strings(sb, m.clientUrls());
        }
        return sb.append('}').toString();
    }

    public static byte[] encodeBytes(Member m) { return encode(m).getBytes(StandardCharsets.UTF_8); }

    public static String encodeAll(List<Member> members) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < members.size(); i++) {
            if (i > 0) sb.append(',');
            sb.append(encode(members.get(i)));
        }
        return sb.append(']').toString();
    }

    /** Reads one member; throws IllegalArgumentException for anything that is not one. */
    public static Member decode(byte[] json) {
        try {
            return member(MAPPER.readTree(json));
        } catch (IOException e) {
            throw new IllegalArgumentException("not a member: " + e.getMessage(), e);
        }
    }

    public static List<Member> decodeAll(String json) {
        try {
            JsonNode a = MAPPER.readTree(json);
            if (a == null || !a.isArray()) throw new IllegalArgumentException("not a list of members");
            List<Member> out = new ArrayList<>();
            for (JsonNode n : a) out.add(member(n));
            return out;
        } catch (IOException e) {
            throw new IllegalArgumentException("not a list of members: " + e.getMessage(), e);
        }
    }

    /** A JSON id: etcd's unsigned number, or (as vetcd once wrote) a hex string. */
    static long id(JsonNode n) {
        if (n == null || n.isNull()) throw new IllegalArgumentException("member without an id");
        if (n.isTextual()) return Long.parseUnsignedLong(n.asText(), 16);
        if (!n.isIntegralNumber()) throw new IllegalArgumentException("member id " + n + " is not a number");
        BigInteger v = n.bigIntegerValue();
        if (v.signum() < 0 || v.bitLength() > 64) throw new IllegalArgumentException("member id " + v + " out of range");
        return v.longValue();
    }

    private static Member member(JsonNode o) {
        if (o == null || !o.isObject()) throw new IllegalArgumentException("not a member object");
        return new Member(id(o.get("id")), text(o.get("name")), list(o.get("peerURLs")), list(o.get("clientURLs")),
            o.has("isLearner") && o.get("isLearner").asBoolean(false));
    }

    private static String text(JsonNode n) { return n == null || n.isNull() ? "" : n.asText(); }

    private static List<String> list(JsonNode n) {
        List<String> out = new ArrayList<>();
        if (n != null && n.isArray()) for (JsonNode x : n) out.add(x.asText());
        return out;
    }

    private static void strings(StringBuilder sb, List<String> xs) {
        sb.append('[');
        for (int i = 0; i < xs.size(); i++) {
            if (i > 0) sb.append(',');
            sb.append(quote(xs.get(i)));
        }
        sb.append(']');
    }

    private static String quote(String s) {
        try {
            return MAPPER.writeValueAsString(s);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
