package io.vetcd.testing;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.UnknownFieldSet;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Renders protobuf bytes without a schema, as nested {@code field: value} lines, so that two
 * answers (etcd's and ours, as printed by {@code etcdctl -w protobuf}) can be compared after
 * masking ids. A length-delimited field is shown as a nested message when its bytes parse as one
 * and re-encode to the same bytes, otherwise as a quoted string: the same rule on both sides.
 */
public final class ProtobufText {
    private ProtobufText() {}

    public static String render(byte[] bytes) {
        StringBuilder out = new StringBuilder();
        try {
            render(UnknownFieldSet.parseFrom(bytes), "", out);
        } catch (InvalidProtocolBufferException e) {
            return "<not protobuf: " + new String(bytes, StandardCharsets.UTF_8) + ">";
        }
        return out.toString();
    }

    private static void render(UnknownFieldSet set, String indent, StringBuilder out) {
        for (Map.Entry<Integer, UnknownFieldSet.Field> e : set.asMap().entrySet()) {
            int n = e.getKey();
            UnknownFieldSet.Field f = e.getValue();
            for (long v : f.getVarintList()) out.append(indent).append(n).append(": ").append(Long.toUnsignedString(v)).append('\n');
            for (int v : f.getFixed32List()) out.append(indent).append(n).append(": f32 ").append(Integer.toUnsignedString(v)).append('\n');
            for (long v : f.getFixed64List()) out.append(indent).append(n).append(": f64 ").append(Long.toUnsignedString(v)).append('\n');
            for (ByteString b : f.getLengthDelimitedList()) {
                UnknownFieldSet nested = asMessage(b);
                if (nested != null) {
                    out.append(indent).append(n).append(" {\n");
                    render(nested, indent + "  ", out);
                    out.append(indent).append("}\n");
                } else {
                    out.append(indent).append(n).append(": \"").append(b.toStringUtf8()).append("\"\n");
                }
            }
        }
    }

    private static UnknownFieldSet asMessage(ByteString b) {
        if (b.isEmpty()) return null;
        try {
            UnknownFieldSet s = UnknownFieldSet.parseFrom(b);
            return s.toByteString().equals(b) ? s : null;
        } catch (InvalidProtocolBufferException e) {
            return null;
        }
    }
}
