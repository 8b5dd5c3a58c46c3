package io.vetcd.node;

/**
 * etcd names cipher suites as Go does (TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305);
 * Java mostly uses the IANA names, which differ only for the ChaCha suites.
 */
final class GoCipherSuites {
    private GoCipherSuites() {}

    static String toJava(String go) {
        return switch (go) {
            case "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305" -> "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256";
            case "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305" -> "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256";
            default -> go;
        };
    }
}
