package io.vetcd.node;

import io.vetcd.config.tls.SelfSignedCertificate;
import io.vetcd.testing.TempDirs;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import javax.net.ssl.X509KeyManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.cert.X509Certificate;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The listener credentials read key files of each PEM kind etcd accepts, are shared while the files
 * are unchanged (one load per member, not per listener instance), and are read again once a file changes.
 */
class ListenerCredentialsTest {
    private static final Path ETCD_FIXTURES = Path.of("/usr/share/gocode/src/go.etcd.io/etcd/integration/fixtures");

    @Test
    void pkcs8KeyIsLoadedOnceAndAgainAfterTheFileChanges() throws Exception {
        Path dir = TempDirs.create("listener-credentials");
        try {
            SelfSignedCertificate pair = SelfSignedCertificate.ensure(dir, List.of("localhost", "127.0.0.1"), 1);
            ListenerTls tls = new ListenerTls(pair.certFile().toString(), pair.keyFile().toString(), "", false, "", List.of());
            ListenerCredentials first = ListenerCredentials.of(tls);
            assertKeyMatchesCertificate(first, pair.certFile());
            assertSame(first, ListenerCredentials.of(tls), "unchanged files are shared, not read again");

            Files.setLastModifiedTime(pair.keyFile(), FileTime.fromMillis(Files.getLastModifiedTime(pair.keyFile()).toMillis() + 5000));
            assertNotSame(first, ListenerCredentials.of(tls), "a replaced key file is read again");
        } finally {
            TempDirs.delete(dir);
        }
    }

    @Test
    void etcdFixturesPkcs1RsaAndSec1EcKeysWithTheirCa() throws Exception {
        Assumptions.assumeTrue(Files.isRegularFile(ETCD_FIXTURES.resolve("server.crt")), "etcd's test fixtures are installed");
        for (String name : List.of("server", "server-ecdsa")) {
            Path cert = ETCD_FIXTURES.resolve(name + ".crt");
            ListenerTls tls = new ListenerTls(cert.toString(), ETCD_FIXTURES.resolve(name + ".key.insecure").toString(),
                ETCD_FIXTURES.resolve("ca.crt").toString(), true, "", List.of());
            ListenerCredentials c = ListenerCredentials.of(tls);
            assertKeyMatchesCertificate(c, cert);
            assertNotNull(c.trust(), "the CA file gives a trust manager");
            if (ListenerTls.openSslAvailable()) assertNotNull(c.openSslKeys().getKeyManagers());
        }
    }

    private static void assertKeyMatchesCertificate(ListenerCredentials c, Path certFile) throws Exception {
        X509KeyManager km = (X509KeyManager) c.jdkKeys().getKeyManagers()[0];
        String alias = km.getServerAliases(km.getPrivateKey("listener").getAlgorithm(), null)[0];
        X509Certificate leaf = km.getCertificateChain(alias)[0];
        String pem = Files.readString(certFile);
        assertTrue(pem.contains("BEGIN CERTIFICATE"));
        assertEquals(leaf.getPublicKey().getAlgorithm(), km.getPrivateKey(alias).getAlgorithm());
        // the key signs what the certificate's public key verifies
        java.security.Signature s = java.security.Signature.getInstance(
            "RSA".equals(leaf.getPublicKey().getAlgorithm()) ? "SHA256withRSA" : "SHA256withECDSA");
        s.initSign(km.getPrivateKey(alias));
        s.update(new byte[] {1, 2, 3});
        byte[] sig = s.sign();
        s.initVerify(leaf.getPublicKey());
        s.update(new byte[] {1, 2, 3});
        assertTrue(s.verify(sig), "the private key belongs to the certificate");
    }
}
