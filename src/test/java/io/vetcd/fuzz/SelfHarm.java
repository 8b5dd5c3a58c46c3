package io.vetcd.fuzz;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors;
import com.google.protobuf.Message;

import java.util.List;

/**
 * Requests a fuzzer must not send because their success is legitimate and would defeat the
 * after-batch check: deleting or overwriting the sentinel, enabling auth (every later call would
 * need a token), removing or re-addressing the member itself. Everything else goes through.
 */
final class SelfHarm {
    private SelfHarm() {}

    static boolean wouldHarm(Descriptors.MethodDescriptor method, Message request, long memberId) {
        String name = method.getName();
        if (name.equals("AuthEnable")) return true;
        if ((name.equals("MemberRemove") || name.equals("MemberUpdate")) && idOf(request) == memberId) return true;
        return touchesSentinel(request);
    }

    private static long idOf(Message m) {
        Descriptors.FieldDescriptor f = m.getDescriptorForType().findFieldByName("ID");
        return f == null ? 0 : ((Number) m.getField(f)).longValue();
    }

    /** Whether a DeleteRange or Put anywhere inside (txns nest) would change the sentinel. */
    static boolean touchesSentinel(Message m) {
        String type = m.getDescriptorForType().getName();
        if (type.equals("DeleteRangeRequest")) {
            ByteString key = bytes(m, "key");
            ByteString end = bytes(m, "range_end");
            if (covers(key, end)) return true;
        } else if (type.equals("PutRequest")) {
            if (bytes(m, "key").equals(FuzzedMember.SENTINEL_KEY)) return true;
        }
        for (var e : m.getAllFields().entrySet()) {
            if (e.getKey().getJavaType() != Descriptors.FieldDescriptor.JavaType.MESSAGE) continue;
            List<?> values = e.getKey().isRepeated() ? (List<?>) e.getValue() : List.of(e.getValue());
            for (Object v : values) if (touchesSentinel((Message) v)) return true;
        }
        return false;
    }

    private static ByteString bytes(Message m, String field) {
        return (ByteString) m.getField(m.getDescriptorForType().findFieldByName(field));
    }

    /** etcd's range semantics: no end is one key; end "\0" is every key from key on; else [key, end). */
    static boolean covers(ByteString key, ByteString end) {
        ByteString s = FuzzedMember.SENTINEL_KEY;
        if (end.isEmpty()) return key.equals(s);
        boolean fromKey = ByteString.unsignedLexicographicalComparator().compare(s, key) >= 0;
        if (end.size() == 1 && end.byteAt(0) == 0) return fromKey;
        return fromKey && ByteString.unsignedLexicographicalComparator().compare(s, end) < 0;
    }
}
