package io.vetcd.config.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SelfSignedCertificateTest {

  @TempDir
  Path dataDir;

  @Test
  void generatesLoadableP256CertWithUrlSans() throws Exception {
    SelfSignedCertificate pair = SelfSignedCertificate.forPeer(dataDir.toString(),
        List.of(URI.create("https://localhost:2380"), URI.create("https://10.0.0.5:2380"), URI.create("https://node1.example:2381")), 2);
    assertEquals(dataDir.resolve("fixtures/peer/cert.pem"), pair.certFile());
    assertEquals(dataDir.resolve("fixtures/peer/key.pem"), pair.keyFile());

    X509Certificate cert;
    try (InputStream in = Files.newInputStream(pair.certFile())) {
      cert = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
    }
    cert.checkValidity();
    cert.verify(cert.getPublicKey());
    assertEquals(256, ((ECPublicKey) cert.getPublicKey()).getParams().getCurve().getField().getFieldSize());
    long years = (cert.getNotAfter().getTime() - cert.getNotBefore().getTime()) / (365L * 24 * 3600 * 1000);
    assertEquals(2, years);
    assertTrue(cert.getNotAfter().after(new Date(System.currentTimeMillis() + 700L * 24 * 3600 * 1000)));

    Set<String> sans = new HashSet<>();
    cert.getSubjectAlternativeNames().forEach(san -> sans.add(san.get(0) + ":" + san.get(1)));
    assertEquals(Set.of("2:localhost", "7:10.0.0.5", "2:node1.example", "7:127.0.0.1"), sans);

    String pem = Files.readString(pair.keyFile());
    assertTrue(pem.startsWith("-----BEGIN PRIVATE KEY-----"), pem);
    byte[] der = Base64.getMimeDecoder().decode(pem.replaceAll("-----[A-Z ]+-----", ""));
    PrivateKey key = KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(der));

    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    ks.setKeyEntry("etcd", key, "pw".toCharArray(), new java.security.cert.Certificate[] {cert});
    assertTrue(ks.isKeyEntry("etcd"));

    Signature sig = Signature.getInstance("SHA256withECDSA");
    sig.initSign(key);
    sig.update(new byte[] {1, 2, 3});
    byte[] signed = sig.sign();
    sig.initVerify(cert);
    sig.update(new byte[] {1, 2, 3});
    assertTrue(sig.verify(signed), "key and certificate belong together");

    assertEquals(PosixFilePermissions.fromString("rw-------"), Files.getPosixFilePermissions(pair.keyFile()));
  }

  @Test
  void reusesExistingPair() throws Exception {
    List<URI> urls = List.of(URI.create("https://127.0.0.1:2379"));
    SelfSignedCertificate first = SelfSignedCertificate.forClient(dataDir.toString(), urls, 1);
    String cert = Files.readString(first.certFile());
    SelfSignedCertificate second = SelfSignedCertificate.forClient(dataDir.toString(), urls, 1);
    assertEquals(first, second);
    assertEquals(cert, Files.readString(second.certFile()));
    assertEquals(dataDir.resolve("fixtures/client/cert.pem"), second.certFile());
  }
}
