package io.vetcd.api;

import java.io.ByteArrayOutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/**
 * The {@code grpc-message} value as Go's gRPC writes it: printable ASCII except {@code %} goes out
 * verbatim, every other byte of the UTF-8 text as {@code %XX}. Vert.x URL-encodes the whole text
 * instead ({@code etcdserver%3A%20...}), which clients that match etcd's error text do not undo.
 */
public final class GoGrpcMessage {
    private GoGrpcMessage() {}

    public static String encode(String message) {
        byte[] utf8 = message.getBytes(StandardCharsets.UTF_8);
        StringBuilder out = new StringBuilder(utf8.length);
        for (byte b : utf8) {
            int c = b & 0xff;
            if (c >= ' ' && c <= '~' && c != '%') out.append((char) c);
            else out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
        }
        return out.toString();
    }

    /** Vert.x's URL-encoded value re-encoded as Go does it (Vert.x also encodes {@code +} as {@code %2B}, so decoding is exact). */
    public static String fromVertxEncoded(String vertxEncoded) {
        try {
            return encode(URLDecoder.decode(vertxEncoded, StandardCharsets.UTF_8));
        } catch (IllegalArgumentException malformed) {
            return vertxEncoded;
        }
    }

    /** Go's decoding, for tests and clients: %XX sequences back to bytes, the rest as is. */
    public static String decode(String encoded) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(encoded.length());
        for (int i = 0; i < encoded.length(); i++) {
            char c = encoded.charAt(i);
            if (c == '%' && i + 2 < encoded.length()) {
                out.write(Integer.parseInt(encoded.substring(i + 1, i + 3), 16));
                i += 2;
            } else {
                out.write(c);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
