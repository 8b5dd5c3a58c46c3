package io.vetcd.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vetcd.pb.etcdwal.Request;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The two v2 requests etcd 3.4 still sends through raft, built and read as etcd does: a member's
 * publish of its name and client URLs ({@code PUT /0/members/<hex id>/attributes}, value
 * {@code {"name":..,"clientURLs":[..]}}) and the cluster version ({@code PUT /0/version}, value
 * e.g. {@code 3.4.0}). Every field is set, as Go's encoder writes them all.
 */
public final class V2Requests {
    static final String MEMBERS_PREFIX = "/0/members/";
    static final String ATTRIBUTES_SUFFIX = "/attributes";
    static final String VERSION_PATH = "/0/version";
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private V2Requests() {}

    /** A member's published attributes. */
    public record Attributes(long memberId, String name, List<String> clientUrls) { }

    public static Request publish(long memberId, String name, List<String> clientUrls, long requestId) {
        StringBuilder val = new StringBuilder("{");
        try {
            if (!name.isEmpty()) val.append("\"name\":").append(MAPPER.writeValueAsString(name));
            if (!clientUrls.isEmpty()) {
                if (val.length() > 1) val.append(',');
                val.append("\"clientURLs\":").append(MAPPER.writeValueAsString(clientUrls));
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return put(requestId, MEMBERS_PREFIX + Long.toHexString(memberId) + ATTRIBUTES_SUFFIX, val.append('}').toString());
    }

    public static Request clusterVersion(String version, long requestId) {
        return put(requestId, VERSION_PATH, version);
    }

    /** The attributes a request publishes, or null if it is not a publish. */
    public static Attributes attributes(Request r) {
        String path = r.getPath();
        if (!"PUT".equals(r.getMethod()) || !path.startsWith(MEMBERS_PREFIX) || !path.endsWith(ATTRIBUTES_SUFFIX)) return null;
        String hex = path.substring(MEMBERS_PREFIX.length(), path.length() - ATTRIBUTES_SUFFIX.length());
        try {
            long id = Long.parseUnsignedLong(hex, 16);
            JsonNode v = MAPPER.readTree(r.getVal());
            List<String> urls = new ArrayList<>();
            JsonNode cu = v == null ? null : v.get("clientURLs");
            if (cu != null && cu.isArray()) for (JsonNode u : cu) urls.add(u.asText());
            JsonNode name = v == null ? null : v.get("name");
            return new Attributes(id, name == null || name.isNull() ? "" : name.asText(), urls);
        } catch (NumberFormatException | IOException e) {
            return null;
        }
    }

    /** The version a request sets, or null if it does not set the cluster version. */
    public static String clusterVersion(Request r) {
        return "PUT".equals(r.getMethod()) && VERSION_PATH.equals(r.getPath()) ? r.getVal() : null;
    }

    private static Request put(long id, String path, String val) {
        return Request.newBuilder().setID(id).setMethod("PUT").setPath(path).setVal(val).setDir(false)
            .setPrevValue("").setPrevIndex(0).setExpiration(0).setWait(false).setSince(0).setRecursive(false)
            .setSorted(false).setQuorum(false).setTime(0).setStream(false).build();
    }
}
