package io.vetcd.transport;

import io.vertx.core.json.JsonObject;
import io.vetcd.pb.etcdserver.HashKVResponse;
import io.vetcd.pb.etcdserver.ResponseHeader;

/**
 * HashKVRequest/Response as etcd's peer {@code /members/hashkv} route carries them: Go's encoding/json
 * of the protobuf structs (numbers, not strings; zero fields omitted), e.g.
 * {@code {"header":{"revision":12},"hash":2075780835,"compact_revision":-1}}.
 */
public final class PeerHashKvJson {
    private PeerHashKvJson() {}

    public static String encode(HashKVResponse r) {
        JsonObject header = new JsonObject();
        if (r.getHeader().getRevision() != 0) header.put("revision", r.getHeader().getRevision());
        JsonObject o = new JsonObject().put("header", header);
        if (r.getHash() != 0) o.put("hash", Integer.toUnsignedLong(r.getHash()));
        if (r.getCompactRevision() != 0) o.put("compact_revision", r.getCompactRevision());
        return o.encode();
    }

    public static HashKVResponse decode(String json) {
        JsonObject o = new JsonObject(json);
        JsonObject h = o.getJsonObject("header", new JsonObject());
        return HashKVResponse.newBuilder()
            .setHeader(ResponseHeader.newBuilder().setRevision(h.getLong("revision", 0L)))
            .setHash((int) o.getLong("hash", 0L).longValue())
            .setCompactRevision(o.getLong("compact_revision", 0L)).build();
    }

    /** The revision a request asks for (an empty body asks for the current one). */
    public static long requestedRevision(String json) {
        if (json == null || json.isBlank()) return 0;
        return new JsonObject(json).getLong("revision", 0L);
    }
}
