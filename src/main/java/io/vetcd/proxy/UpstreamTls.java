package io.vetcd.proxy;

import io.vetcd.config.ConfigException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;

/**
 * TLS from the proxy to the cluster: --cert, --key, --cacert, --insecure-skip-tls-verify. etcd requires the
 * proxy's client certificate to have an empty Common Name (with client-cert auth on, a CN would log the proxy in
 * as that user for every client it forwards); it refuses to start otherwise, with the same message as here.
 */
record UpstreamTls(String certFile, String keyFile, String caFile, boolean insecureSkipVerify) {

  boolean configured() {
    return !certFile.isEmpty() || !keyFile.isEmpty() || !caFile.isEmpty() || insecureSkipVerify;
  }

  /** @throws ConfigException "cert has non empty Common Name (CN)", or when the certificate cannot be read */
  void checkEmptyCommonName() {
    if (certFile.isEmpty()) return;
    X509Certificate cert;
    try (InputStream in = Files.newInputStream(Path.of(certFile))) {
      cert = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
    } catch (IOException | CertificateException e) {
      throw new ConfigException("open " + certFile + ": " + e.getMessage());
    }
    String cn = commonName(cert.getSubjectX500Principal().getName());
    if (!cn.isEmpty()) {
      throw new ConfigException("cert has non empty Common Name (" + cn + ")");
    }
  }

  /** The CN attribute of an RFC 2253 name, or "". */
  static String commonName(String rfc2253) {
    try {
      for (javax.naming.ldap.Rdn rdn : new javax.naming.ldap.LdapName(rfc2253).getRdns()) {
        if (rdn.getType().equalsIgnoreCase("CN")) return String.valueOf(rdn.getValue());
      }
    } catch (javax.naming.InvalidNameException e) {
      return "";
    }
    return "";
  }
}
