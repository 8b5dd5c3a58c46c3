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
                          String crlFile, List<String> cipherSuites, String allowedCn, String allowedHostname) {

    public ListenerTls(String certFile, String keyFile, String trustedCaFile, boolean clientCertAuth,
                       String crlFile, List<String> cipherSuites) {
        this(certFile, keyFile, trustedCaFile, clientCertAuth, crlFile, cipherSuites, "", "");
    }

    /**
     * Client listeners handshake with OpenSSL (BoringSSL from netty-tcnative) when it loads: a burst
     * of handshakes on a cold JVM costs a fraction of what the JDK's Java crypto does (measured with
     * 100 concurrent curl handshakes). -Dvetcd.tls.engine=jdk keeps the JDK engine.
     */
    static final boolean OPENSSL = !"jdk".equals(System.getProperty("vetcd.tls.engine"))
        && io.vertx.core.net.OpenSSLEngineOptions.isAvailable();

    /** Our certificate, for dialing peers that ask for one; null without TLS. */
    public io.vertx.core.net.KeyCertOptions clientCertificate() {
        if (certFile == null || certFile.isEmpty()) return null;
        return new PemKeyCertOptions().setCertPath(certFile).setKeyPath(keyFile);
    }

    /** Applies these settings to an https listener. */
    public HttpServerOptions applyTo(HttpServerOptions o) {
        o.setSsl(true).setUseAlpn(true)
            .setKeyCertOptions(new PemKeyCertOptions().setCertPath(certFile).setKeyPath(keyFile));
        boolean identity = clientCertAuth && (!isEmpty(allowedCn) || !isEmpty(allowedHostname));
        if (identity && !isEmpty(trustedCaFile)) {
            // --peer-cert-allowed-cn/-hostname: the handshake itself refuses any other certificate
            o.setTrustOptions(io.vertx.core.net.TrustOptions.wrap(
                AllowedPeerIdentity.trustManager(trustedCaFile, allowedCn, allowedHostname)));
        } else if (!isEmpty(trustedCaFile)) {
            o.setTrustOptions(new PemTrustOptions().addCertPath(trustedCaFile));
        }
        if (clientCertAuth) o.setClientAuth(ClientAuth.REQUIRED);
        // a revoked client certificate fails the handshake, as with etcd's --client-crl-file
        if (crlFile != null && !crlFile.isEmpty()) o.addCrlPath(crlFile);
        for (String suite : cipherSuites) o.addEnabledCipherSuite(suite);
        return o;
    }

    /**
     * {@link #applyTo} for a client listener, with the OpenSSL engine when it is available. Not with an
     * allowed-identity check: a refusal there must reach the dialer as the JDK engine sends it (the
     * alert Go reports as "remote error: tls: bad certificate", which etcd's e2e tests look for), and
     * not for peer listeners, whose refusals are checked that way.
     */
    public HttpServerOptions applyToClientListener(HttpServerOptions o) {
        applyTo(o);
        boolean identity = clientCertAuth && (!isEmpty(allowedCn) || !isEmpty(allowedHostname));
        if (OPENSSL && !identity) o.setSslEngineOptions(new io.vertx.core.net.OpenSSLEngineOptions());
        return o;
    }

    private static boolean isEmpty(String s) { return s == null || s.isEmpty(); }
}
