package io.vetcd.api;

/**
 * The text Go's protobuf code (etcd's gogoproto unmarshalers) gives for a message that will not
 * decode, for the failures protobuf-java names; grpc-go puts it after "grpc: error unmarshalling
 * request: ". Go's texts name the message type and wire type, which protobuf-java does not report;
 * those are left out. Anything else: protobuf-java's first sentence, never a Java type name.
 */
final class GoProtoError {
    private GoProtoError() {}

    static String text(Throwable decodeFailure) {
        String m = decodeFailure == null || decodeFailure.getMessage() == null ? "" : decodeFailure.getMessage();
        if (m.contains("ended unexpectedly")) return "unexpected EOF";
        if (m.contains("malformed varint")) return "proto: integer overflow";
        if (m.contains("negative size")) return "proto: negative length found during unmarshaling";
        if (m.contains("invalid tag (zero)")) return "proto: illegal tag 0";
        if (m.contains("invalid wire type")) return "proto: illegal wireType";
        if (m.contains("end-group tag did not match")) return "proto: wiretype end group for non-group";
        int dot = m.indexOf(". ");
        String first = (dot > 0 ? m.substring(0, dot) : m).strip();
        if (first.endsWith(".")) first = first.substring(0, first.length() - 1);
        return "proto: " + (first.isEmpty() ? "cannot parse message" : first);
    }
}
