package io.vetcd.node;

import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;

import java.util.List;

/**
 * The TLS settings of one kind of listener (client or peer): certificate and
 * key (given or self-signed by --auto-tls), optional CA for client-certificate
 * authentication, a certificate revocation list, and the cipher suites.
 */
public record ListenerTls(String certFile, String keyFile, String trustedCaFile, boolean clientCertAuth,
                          String crlFile, List<String> cipherSuites) {

    /** Applies these settings to an https listener. */
    public HttpServerOptions applyTo(HttpServerOptions o) {
        o.setSsl(true).setUseAlpn(true)
            .setKeyCertOptions(new PemKeyCertOptions().setCertPath(certFile).setKeyPath(keyFile));
        if (trustedCaFile != null && !trustedCaFile.isEmpty()) {
            o.setTrustOptions(new PemTrustOptions().addCertPath(trustedCaFile));
        }
        if (clientCertAuth) o.setClientAuth(ClientAuth.REQUIRED);
        // a revoked client certificate fails the handshake, as with etcd's --client-crl-file
        if (crlFile != null && !crlFile.isEmpty()) o.addCrlPath(crlFile);
        for (String suite : cipherSuites) o.addEnabledCipherSuite(suite);
        return o;
    }
}
