package io.vetcd.config.tls;

import io.vetcd.config.ConfigException;
import io.vetcd.config.EtcdUrls;
import java.io.IOException;
import java.io.StringWriter;
import java.io.Writer;
import java.math.BigInteger;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.io.pem.PemObject;

/**
 * The certificate behind {@code --auto-tls} / {@code --peer-auto-tls}: like etcd, an ECDSA P-256
 * key and a self-signed certificate for the hosts of the member's URLs, stored as
 * {@code cert.pem}/{@code key.pem} under {@code <data-dir>/fixtures/client} or {@code .../peer}
 * and reused on restart so clients that pinned it keep working.
 *
 * @param certFile PEM certificate
 * @param keyFile  PEM private key (PKCS#8, which both the JDK and Vert.x read)
 */
public record SelfSignedCertificate(Path certFile, Path keyFile) {

  public static final String CERT_FILE = "cert.pem";
  public static final String KEY_FILE = "key.pem";

  /** Client-side certificate for {@code --auto-tls}, in {@code <dataDir>/fixtures/client}. */
  public static SelfSignedCertificate forClient(String dataDir, List<URI> urls, long validityYears) {
    return ensure(Path.of(dataDir, "fixtures", "client"), hosts(urls), validityYears);
  }

  /** Peer-side certificate for {@code --peer-auto-tls}, in {@code <dataDir>/fixtures/peer}. */
  public static SelfSignedCertificate forPeer(String dataDir, List<URI> urls, long validityYears) {
    return ensure(Path.of(dataDir, "fixtures", "peer"), hosts(urls), validityYears);
  }

  /** Returns the existing pair in {@code dir}, or generates one for {@code hosts}. */
  public static SelfSignedCertificate ensure(Path dir, List<String> hosts, long validityYears) {
    SelfSignedCertificate pair = new SelfSignedCertificate(dir.resolve(CERT_FILE), dir.resolve(KEY_FILE));
    if (Files.isRegularFile(pair.certFile) && Files.isRegularFile(pair.keyFile)) {
      return pair;
    }
    try {
      Files.createDirectories(dir);
      KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
      gen.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
      KeyPair keys = gen.generateKeyPair();
      X509Certificate cert = selfSign(keys, hosts, validityYears);
      writeKey(pair.keyFile, keys);
      Files.writeString(pair.certFile, pem(cert), StandardCharsets.US_ASCII);
      return pair;
    } catch (IOException | GeneralSecurityException | OperatorCreationException e) {
      throw new ConfigException("cannot generate self-signed certificate in " + dir + ": " + e.getMessage(), e);
    }
  }

  /**
   * Hosts of the URLs; localhost and 127.0.0.1 are always added so local tools and health checks
   * can verify the certificate even when the member listens on another address.
   */
  static List<String> hosts(List<URI> urls) {
    Set<String> hosts = new LinkedHashSet<>();
    for (URI url : urls) {
      hosts.add(EtcdUrls.host(url));
    }
    hosts.add("localhost");
    hosts.add("127.0.0.1");
    return new ArrayList<>(hosts);
  }

  private static X509Certificate selfSign(KeyPair keys, List<String> hosts, long validityYears)
      throws IOException, GeneralSecurityException, OperatorCreationException {
    Instant now = Instant.now();
    Instant notAfter = now.atOffset(ZoneOffset.UTC).plusYears(validityYears).toInstant();
    X500Name subject = new X500Name("O=etcd");
    BigInteger serial = new BigInteger(128, new SecureRandom());
    X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject, serial, Date.from(now),
        Date.from(notAfter), subject, keys.getPublic());
    List<GeneralName> names = new ArrayList<>();
    for (String host : hosts) {
      names.add(isIp(host) ? new GeneralName(GeneralName.iPAddress, host) : new GeneralName(GeneralName.dNSName, host));
    }
    builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names.toArray(new GeneralName[0])));
    builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
    // Peers present this certificate as clients too, so both purposes are needed.
    builder.addExtension(Extension.extendedKeyUsage, false,
        new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
    builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
    return new JcaX509CertificateConverter().getCertificate(
        builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())));
  }

  /** Creates the key file owner-only before writing, so the key is never briefly world-readable. */
  private static void writeKey(Path keyFile, KeyPair keys) throws IOException {
    String pem = pem(new JcaPKCS8Generator(keys.getPrivate(), null).generate());
    Files.deleteIfExists(keyFile);
    try {
      Files.createFile(keyFile, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } catch (UnsupportedOperationException e) {
      Files.createFile(keyFile); // non-POSIX file system
    }
    Files.writeString(keyFile, pem, StandardCharsets.US_ASCII);
  }

  private static String pem(Object obj) throws IOException {
    Writer out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      if (obj instanceof PemObject p) {
        writer.writeObject(p);
      } else {
        writer.writeObject(obj);
      }
    }
    return out.toString();
  }

  private static boolean isIp(String host) {
    return host.matches("\\d{1,3}(\\.\\d{1,3}){3}") || host.contains(":");
  }
}
