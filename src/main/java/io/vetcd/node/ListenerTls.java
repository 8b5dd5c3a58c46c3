package io.vetcd.node;

import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.TrustOptions;

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
    static boolean openSslAvailable() { return OpenSslEngine.AVAILABLE; }

    /**
     * Asked only by a listener that has TLS: the answer loads netty-tcnative's native library (from
     * the jar into the temp dir) and makes a test handshake context, half the event loop's work in
     * a plain-HTTP member's start when it was a field of this record.
     */
    private static final class OpenSslEngine {
        static final boolean AVAILABLE = !"jdk".equals(System.getProperty("vetcd.tls.engine"))
            && io.vertx.core.net.OpenSSLEngineOptions.isAvailable();
    }

    /** Our certificate, for dialing peers that ask for one; null without TLS. */
    public io.vertx.core.net.KeyCertOptions clientCertificate() {
        if (certFile == null || certFile.isEmpty()) return null;
        return KeyCertOptions.wrap(ListenerCredentials.of(this).jdkKeys());
    }

    /**
     * Reads the certificate, key and CA files once for every listener instance about to be started
     * (they are shared; see {@link ListenerCredentials}). Blocking: call it on a worker thread before
     * deploying the listeners, so that their start on an event loop finds them loaded.
     */
    public void preload() {
        if (certFile == null || certFile.isEmpty()) return;
        ListenerCredentials c = ListenerCredentials.of(this);
        if (openSslAvailable()) c.openSslKeys();
    }

    /** Applies these settings to an https listener. */
    public HttpServerOptions applyTo(HttpServerOptions o) {
        return applyTo(o, false);
    }

    private HttpServerOptions applyTo(HttpServerOptions o, boolean openSsl) {
        ListenerCredentials credentials = ListenerCredentials.of(this);
        o.setSsl(true).setUseAlpn(true)
            .setKeyCertOptions(KeyCertOptions.wrap(openSsl ? credentials.openSslKeys() : credentials.jdkKeys()));
        boolean identity = clientCertAuth && (!isEmpty(allowedCn) || !isEmpty(allowedHostname));
        if (identity && !isEmpty(trustedCaFile)) {
            // --peer-cert-allowed-cn/-hostname: the handshake itself refuses any other certificate
            o.setTrustOptions(io.vertx.core.net.TrustOptions.wrap(
                AllowedPeerIdentity.trustManager(trustedCaFile, allowedCn, allowedHostname)));
        } else if (!isEmpty(trustedCaFile)) {
            o.setTrustOptions(TrustOptions.wrap(credentials.trust()));
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
        boolean identity = clientCertAuth && (!isEmpty(allowedCn) || !isEmpty(allowedHostname));
        boolean openSsl = !identity && openSslAvailable();
        applyTo(o, openSsl);
        if (openSsl) o.setSslEngineOptions(new io.vertx.core.net.OpenSSLEngineOptions());
        return o;
    }

    private static boolean isEmpty(String s) { return s == null || s.isEmpty(); }
}
