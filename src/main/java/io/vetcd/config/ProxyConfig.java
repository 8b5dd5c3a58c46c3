package io.vetcd.config;

/** The {@code proxy} section: etcd's v2 proxy mode (recognised; vetcd only runs as a member). */
public final class ProxyConfig {

  private final FlagValues v;

  ProxyConfig(FlagValues v) {
    this.v = v;
  }

  /** {@code off}, {@code readonly} or {@code on}. */
  public String proxy() { return v.string("proxy"); }
  public boolean isEnabled() { return !"off".equals(proxy()); }
  public long proxyFailureWaitMs() { return v.number("proxy-failure-wait"); }
  public long proxyRefreshIntervalMs() { return v.number("proxy-refresh-interval"); }
  public long proxyDialTimeoutMs() { return v.number("proxy-dial-timeout"); }
  public long proxyWriteTimeoutMs() { return v.number("proxy-write-timeout"); }
  public long proxyReadTimeoutMs() { return v.number("proxy-read-timeout"); }
}
