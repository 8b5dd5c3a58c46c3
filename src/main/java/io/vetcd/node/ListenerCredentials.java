package io.vetcd.node;

import io.netty.handler.ssl.OpenSslX509KeyManagerFactory;
import io.vertx.core.net.impl.pkcs1.PrivateKeyParser;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManagerFactory;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A listener's certificate, private key and trusted CAs, read from their PEM files once and shared by
 * every listener instance that uses them (one HTTP server per event loop, client and peer side).
 *
 * <p>Why not Vert.x's {@code PemKeyCertOptions}: every server instance re-reads the files into an
 * in-memory PKCS#12 key store, whose key entries cost a 10,000-round PBKDF2 each time one is stored or
 * read (five times per instance), measured at 0.4-0.8 s of start-up CPU on a loaded 2-core machine;
 * and with OpenSSL its key manager hands netty a Java key that netty re-encodes and re-parses for
 * every handshake. Here the key goes into a JKS store in memory (no PBKDF2), and for OpenSSL into
 * netty's {@link OpenSslX509KeyManagerFactory}, which converts the key and chain to native form once
 * per SSL context. Files are keyed by path and modification time: a member restarted in the same JVM
 * after its certificate was replaced reads the new one.
 */
final class ListenerCredentials {
    private static final ConcurrentHashMap<Files3, ListenerCredentials> LOADED = new ConcurrentHashMap<>();
    /** Protects the key only inside this process's memory; JKS needs some password. */
    private static final char[] IN_MEMORY = "vetcd-listener-key".toCharArray();
    private static final Pattern PEM = Pattern.compile(
        "-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]+?)-----END \\1-----");

    private final KeyStore keys;
    private final KeyManagerFactory jdkKeys;
    private final TrustManagerFactory trust;
    private volatile KeyManagerFactory openSslKeys;

    private ListenerCredentials(KeyStore keys, KeyManagerFactory jdkKeys, TrustManagerFactory trust) {
        this.keys = keys;
        this.jdkKeys = jdkKeys;
        this.trust = trust;
    }

    /** The files as of their last modification; the cache key. */
    private record Files3(String cert, String key, String ca, long certModified, long keyModified, long caModified) {}

    /** Loads (or finds already loaded) the credentials of {@code tls}. Reads files: call it off the event loop first. */
    static ListenerCredentials of(ListenerTls tls) {
        Files3 k = new Files3(tls.certFile(), tls.keyFile(), nullToEmpty(tls.trustedCaFile()),
            modified(tls.certFile()), modified(tls.keyFile()), modified(tls.trustedCaFile()));
        return LOADED.computeIfAbsent(k, ListenerCredentials::load);
    }

    /** Our certificate and key for the JDK's TLS engine (peer listeners and dials). */
    KeyManagerFactory jdkKeys() {
        return jdkKeys;
    }

    /** The same for netty's OpenSSL engine, with the native key material made once per SSL context. */
    KeyManagerFactory openSslKeys() {
        KeyManagerFactory k = openSslKeys;
        if (k == null) {
            synchronized (this) {
                if (openSslKeys == null) {
                    try {
                        OpenSslX509KeyManagerFactory f = new OpenSslX509KeyManagerFactory();
                        f.init(keys, IN_MEMORY);
                        openSslKeys = f;
                    } catch (GeneralSecurityException e) {
                        throw new IllegalStateException("cannot use the listener key with OpenSSL: " + e.getMessage(), e);
                    }
                }
                k = openSslKeys;
            }
        }
        return k;
    }

    /** The trusted CAs (--trusted-ca-file / --peer-trusted-ca-file); null when none is given. */
    TrustManagerFactory trust() {
        return trust;
    }

    private static ListenerCredentials load(Files3 f) {
        try {
            PrivateKey key = privateKey(Path.of(f.key()));
            Certificate[] chain = certificates(Path.of(f.cert())).toArray(new Certificate[0]);
            if (chain.length == 0) throw new IllegalArgumentException("no certificate in " + f.cert());
            KeyStore ks = KeyStore.getInstance("JKS");
            ks.load(null, null);
            ks.setKeyEntry("listener", key, IN_MEMORY, chain);
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, IN_MEMORY);
            TrustManagerFactory tmf = null;
            if (!f.ca().isEmpty()) {
                KeyStore cas = KeyStore.getInstance("JKS");
                cas.load(null, null);
                int i = 0;
                for (Certificate c : certificates(Path.of(f.ca()))) cas.setCertificateEntry("ca-" + i++, c);
                if (i == 0) throw new IllegalArgumentException("no certificate in " + f.ca());
                tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                tmf.init(cas);
            }
            return new ListenerCredentials(ks, kmf, tmf);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot load TLS files " + f.cert() + ", " + f.key()
                + (f.ca().isEmpty() ? "" : ", " + f.ca()) + ": " + e.getMessage(), e);
        }
    }

    private static List<Certificate> certificates(Path file) throws IOException, GeneralSecurityException {
        CertificateFactory cf = CertificateFactory.getInstance("X.509");
        return new ArrayList<>(cf.generateCertificates(new ByteArrayInputStream(Files.readAllBytes(file))));
    }

    /** The first private key of a PEM file: PKCS#8 ("PRIVATE KEY"), PKCS#1 RSA or SEC1 EC. */
    private static PrivateKey privateKey(Path file) throws IOException, GeneralSecurityException {
        Matcher m = PEM.matcher(Files.readString(file, StandardCharsets.US_ASCII));
        while (m.find()) {
            byte[] der = Base64.getMimeDecoder().decode(m.group(2).trim());
            switch (m.group(1)) {
                case "PRIVATE KEY" -> {
                    return pkcs8(der);
                }
                case "RSA PRIVATE KEY" -> {
                    return KeyFactory.getInstance("RSA").generatePrivate(PrivateKeyParser.getRSAKeySpec(der));
                }
                case "EC PRIVATE KEY" -> {
                    return KeyFactory.getInstance("EC").generatePrivate(PrivateKeyParser.getECKeySpec(der));
                }
                default -> { } // e.g. "EC PARAMETERS" before the key
            }
        }
        throw new IllegalArgumentException("no PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY block in " + file);
    }

    /** PKCS#8 names its algorithm inside; the parser knows RSA and EC, the JDK's factories also Ed25519. */
    private static PrivateKey pkcs8(byte[] der) throws GeneralSecurityException {
        try {
            return KeyFactory.getInstance(PrivateKeyParser.getPKCS8EncodedKeyAlgorithm(der))
                .generatePrivate(new PKCS8EncodedKeySpec(der));
        } catch (RuntimeException unknownAlgorithm) {
            for (String alg : List.of("Ed25519", "Ed448", "RSASSA-PSS")) {
                try {
                    return KeyFactory.getInstance(alg).generatePrivate(new PKCS8EncodedKeySpec(der));
                } catch (GeneralSecurityException notThisOne) {
                    // next
                }
            }
            throw new java.security.spec.InvalidKeySpecException("unsupported PKCS#8 key algorithm", unknownAlgorithm);
        }
    }

    private static long modified(String file) {
        if (file == null || file.isEmpty()) return 0;
        try {
            return Files.getLastModifiedTime(Path.of(file)).toMillis();
        } catch (IOException e) {
            return -1; // load reports the missing file
        }
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }
}
