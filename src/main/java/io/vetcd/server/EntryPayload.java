package io.vetcd.server;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.UnknownFieldSet;
import io.vetcd.pb.etcdwal.Request;
import io.vetcd.pb.internal.InternalRaftRequest;
import io.vetcd.pb.internal.LegacyMemberAttributes;
import io.vetcd.pb.internal.LegacyRequestHeader;
import io.vetcd.pb.internal.RequestHeader;

import java.io.IOException;
import java.util.List;

/**
 * What a normal raft entry carries, read the way etcd 3.4 reads it: nothing (a new leader's empty
 * entry), a bare v2 {@code Request} (how etcd 3.4 publishes member attributes and the cluster
 * version), or an {@code InternalRaftRequest} (every v3 request) whose proposer waits on
 * {@code requestId}.
 *
 * <p>etcd tells the two encodings apart by trying to decode an InternalRaftRequest and falling back
 * to a v2 Request; that relies on Go's decoder rejecting a method string where a message is expected.
 * Here the test is explicit: field 2 of a v2 Request is its method, an upper-case word, while field 2
 * of an InternalRaftRequest is a nested Request whose first byte is a field tag, never a letter.
 */
public sealed interface EntryPayload {
    record Empty() implements EntryPayload { }

    record V2(Request request) implements EntryPayload { }

    record V3(InternalRaftRequest request, long requestId) implements EntryPayload { }

    EntryPayload EMPTY = new Empty();

    static EntryPayload decode(byte[] data) throws InvalidProtocolBufferException {
        if (data.length == 0) return EMPTY;
        if (isBareV2(data)) return new V2(Request.parseFrom(data));
        InternalRaftRequest r = InternalRaftRequest.parseFrom(data);
        if (!r.getUnknownFields().asMap().isEmpty()) {
            LegacyMemberAttributes published = legacyPublish(r.getUnknownFields());
            if (published != null) {
                return new V2(V2Requests.publish(published.getId(), published.getName(), published.getClientUrlsList(), 0));
            }
            r = fromLegacy(r);
        }
        if (r.hasV2()) return new V2(r.getV2());
        return new V3(r, r.getID() != 0 ? r.getID() : r.getHeader().getID());
    }

    private static boolean isBareV2(byte[] data) throws InvalidProtocolBufferException {
        try {
            CodedInputStream in = CodedInputStream.newInstance(data);
            while (!in.isAtEnd()) {
                int tag = in.readTag();
                if (tag == (2 << 3 | 2)) {
                    byte[] v = in.readByteArray();
                    return v.length > 0 && v[0] >= 'A' && v[0] <= 'Z';
                }
                if (!in.skipField(tag)) return false;
            }
            return false;
        } catch (InvalidProtocolBufferException e) {
            throw e;
        } catch (IOException e) {
            throw new InvalidProtocolBufferException(e.getMessage());
        }
    }

    /**
     * An entry a vetcd release before etcd's layout wrote: its header sat at field 1 (where etcd has a
     * plain id), so it decodes into an unknown field; it carries over into etcd's header.
     */
    private static InternalRaftRequest fromLegacy(InternalRaftRequest r) throws InvalidProtocolBufferException {
        UnknownFieldSet.Field f = r.getUnknownFields().getField(1);
        if (f == null || f.getLengthDelimitedList().isEmpty()) return r;
        LegacyRequestHeader h = LegacyRequestHeader.parseFrom(f.getLengthDelimitedList().get(0));
        return r.toBuilder().setHeader(RequestHeader.newBuilder().setID(h.getId()).setUsername(h.getUsername())
            .setAuthRevision(h.getAuthRevision())).build();
    }

    /** vetcd's old publish (field 20) becomes etcd's v2 attributes publish. */
    private static LegacyMemberAttributes legacyPublish(UnknownFieldSet unknown) throws InvalidProtocolBufferException {
        UnknownFieldSet.Field f = unknown.getField(20);
        if (f == null) return null;
        List<com.google.protobuf.ByteString> v = f.getLengthDelimitedList();
        return v.isEmpty() ? null : LegacyMemberAttributes.parseFrom(v.get(0));
    }
}
