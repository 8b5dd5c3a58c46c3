package io.vetcd.config;

import java.util.List;
import java.util.stream.Collectors;

/** The {@code security} section: client and peer TLS, auto-TLS, auth tokens. */
public final class SecurityConfig {

  private final FlagValues v;

  SecurityConfig(FlagValues v) {
    this.v = v;
  }

  public String certFile() { return v.string("cert-file"); }
  public String keyFile() { return v.string("key-file"); }
  public boolean clientCertAuth() { return v.bool("client-cert-auth"); }
  public String clientCrlFile() { return v.string("client-crl-file"); }
  public String clientCertAllowedHostname() { return v.string("client-cert-allowed-hostname"); }
  public String trustedCaFile() { return v.string("trusted-ca-file"); }
  public boolean autoTls() { return v.bool("auto-tls"); }
  public String peerCertFile() { return v.string("peer-cert-file"); }
  public String peerKeyFile() { return v.string("peer-key-file"); }
  public boolean peerClientCertAuth() { return v.bool("peer-client-cert-auth"); }
  public String peerTrustedCaFile() { return v.string("peer-trusted-ca-file"); }
  public String peerCertAllowedCn() { return v.string("peer-cert-allowed-cn"); }
  public String peerCertAllowedHostname() { return v.string("peer-cert-allowed-hostname"); }
  public boolean peerAutoTls() { return v.bool("peer-auto-tls"); }
  public String peerCrlFile() { return v.string("peer-crl-file"); }
  public boolean experimentalPeerSkipClientSanVerification() { return v.bool("experimental-peer-skip-client-san-verification"); }
  /** Go cipher suite names as given; empty means the TLS library default. */
  public List<String> cipherSuites() { return v.get("cipher-suites"); }
  /** {@link #cipherSuites()} spelled as JSSE expects them. */
  public List<String> cipherSuitesJsse() {
    return cipherSuites().stream().map(CipherSuites::toJsse).collect(Collectors.toUnmodifiableList());
  }
  /** Validity in years of certificates generated for --auto-tls / --peer-auto-tls. */
  public long selfSignedCertValidity() { return v.number("self-signed-cert-validity"); }
  /** Full auth-token spec, e.g. {@code simple} or {@code jwt,pub-key=...,priv-key=...,sign-method=RS256,ttl=1s}. */
  public String authToken() { return v.string("auth-token"); }
  /** {@code simple} or {@code jwt}. */
  public String authTokenType() { return AuthTokenSpec.parse(authToken()).type(); }
  /** JWT options of {@link #authToken()} (pub-key, priv-key, sign-method, ttl), in order. */
  public java.util.Map<String, String> authTokenOptions() { return AuthTokenSpec.parse(authToken()).options(); }
  public long bcryptCost() { return v.number("bcrypt-cost"); }
  public long authTokenTtlSeconds() { return v.number("auth-token-ttl"); }

  public boolean isClientTls() { return autoTls() || !certFile().isEmpty(); }
  public boolean isPeerTls() { return peerAutoTls() || !peerCertFile().isEmpty(); }
}
