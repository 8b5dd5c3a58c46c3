package io.vetcd.transport;

import javax.net.ssl.SSLException;

/**
 * Failures of a peer connection in the words etcd's Go TLS stack uses, so operators (and etcd's
 * e2e tests, which wait for these lines) read the same thing from either implementation: a peer
 * that refused our certificate is {@code remote error: tls: bad certificate}.
 */
public final class TlsErrors {
    private TlsErrors() {}

    public static String describe(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof SSLException && c.getMessage() != null) {
                String m = c.getMessage();
                // JSSE: "Received fatal alert: bad_certificate" (or certificate_unknown, by version)
                if (m.contains("Received fatal alert: bad_certificate") || m.contains("Received fatal alert: certificate_unknown")) {
                    return "remote error: tls: bad certificate (" + m + ")";
                }
                if (m.contains("Received fatal alert: unknown_ca")) return "remote error: tls: unknown certificate authority (" + m + ")";
            }
        }
        return String.valueOf(t.getMessage());
    }
}
