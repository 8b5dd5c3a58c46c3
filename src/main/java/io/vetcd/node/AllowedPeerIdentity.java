package io.vetcd.node;

import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

/**
 * etcd's {@code --peer-cert-allowed-cn} and {@code --peer-cert-allowed-hostname}: a peer's client
 * certificate must chain to the trusted CA <em>and</em> carry that common name, or be valid for that
 * host name (its SANs, as Go's VerifyHostname checks); {@code --client-cert-allowed-hostname} does
 * the same on the client listener. The check runs in the TLS handshake, so a
 * peer with another certificate never gets a request through, and sees etcd's "bad certificate".
 */
final class AllowedPeerIdentity implements X509TrustManager {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger("embed");
    private final X509TrustManager chain;
    private final String allowedCn;
    private final String allowedHostname;

    private AllowedPeerIdentity(X509TrustManager chain, String allowedCn, String allowedHostname) {
        this.chain = chain;
        this.allowedCn = allowedCn == null ? "" : allowedCn;
        this.allowedHostname = allowedHostname == null ? "" : allowedHostname;
    }

    static X509TrustManager trustManager(String caFile, String allowedCn, String allowedHostname) {
        try (InputStream in = Files.newInputStream(Path.of(caFile))) {
            KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
            ks.load(null, null);
            int i = 0;
            for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) ks.setCertificateEntry("ca" + i++, c);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ks);
            for (var tm : tmf.getTrustManagers()) {
                if (tm instanceof X509TrustManager x) return new AllowedPeerIdentity(x, allowedCn, allowedHostname);
            }
            throw new IllegalStateException("no X.509 trust manager");
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot read the peer trusted CA file " + caFile + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void checkClientTrusted(X509Certificate[] certs, String authType) throws CertificateException {
        chain.checkClientTrusted(certs, authType);
        X509Certificate leaf = certs[0];
        if (!allowedCn.isEmpty() && !allowedCn.equals(commonName(leaf))) {
            String why = "CommonName authentication failed (allowed-cn " + allowedCn + ", got " + commonName(leaf) + ")";
            log.warn("rejected a TLS client certificate: {}", why);
            throw new CertificateException(why);
        }
        if (!allowedHostname.isEmpty() && !validFor(leaf, allowedHostname)) {
            // etcd's words, which operators (and etcd's e2e tests) look for
            String why = "client certificate authentication failed (allowed-hostname " + allowedHostname + ", certificate "
                + commonName(leaf) + " is not valid for it)";
            log.warn("rejected a TLS client certificate: {}", why);
            throw new CertificateException(why);
        }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] certs, String authType) throws CertificateException {
        chain.checkServerTrusted(certs, authType);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return chain.getAcceptedIssuers();
    }

    static String commonName(X509Certificate c) {
        try {
            for (Rdn rdn : new LdapName(c.getSubjectX500Principal().getName()).getRdns()) {
                if ("CN".equalsIgnoreCase(rdn.getType())) return String.valueOf(rdn.getValue());
            }
        } catch (InvalidNameException e) {
            return "";
        }
        return "";
    }

    /** Go's VerifyHostname: an IP matches the IP SANs; a name matches the DNS SANs, with one-label wildcards. */
    static boolean validFor(X509Certificate c, String host) {
        Collection<List<?>> sans;
        try {
            sans = c.getSubjectAlternativeNames();
        } catch (CertificateParsingException e) {
            return false;
        }
        if (sans == null) return false;
        boolean ip = host.matches("[0-9.]+") || host.contains(":");
        for (List<?> san : sans) {
            int type = (Integer) san.get(0);
            String value = String.valueOf(san.get(1));
            if (ip && type == 7 && sameAddress(value, host)) return true;
            if (!ip && type == 2 && nameMatches(value.toLowerCase(Locale.ROOT), host.toLowerCase(Locale.ROOT))) return true;
        }
        return false;
    }

    private static boolean sameAddress(String a, String b) {
        try {
            return InetAddress.getByName(a).equals(InetAddress.getByName(b));
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean nameMatches(String pattern, String host) {
        if (pattern.equals(host)) return true;
        if (!pattern.startsWith("*.")) return false;
        int dot = host.indexOf('.');
        return dot > 0 && host.substring(dot).equals(pattern.substring(1));
    }
}
