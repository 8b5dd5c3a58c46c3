package io.vetcd.config;

import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The validated, immutable configuration of one vetcd member, built by {@link ConfigLoader}
 * from the config file, ETCD_* environment variables and command-line flags.
 */
public final class EtcdConfig {

  private final FlagValues values;
  private final MemberConfig member;
  private final ClusterConfig cluster;
  private final ProxyConfig proxy;
  private final SecurityConfig security;
  private final LoggingConfig logging;
  private final VertxConfig vertx;
  private final Optional<String> configFile;
  private final List<String> warnings;

  EtcdConfig(FlagValues values, ClusterConfig cluster, Optional<String> configFile, List<String> warnings) {
    this.values = values;
    this.member = new MemberConfig(values);
    this.cluster = cluster;
    this.proxy = new ProxyConfig(values);
    this.security = new SecurityConfig(values);
    this.logging = new LoggingConfig(values);
    this.vertx = new VertxConfig(values);
    this.configFile = configFile;
    this.warnings = List.copyOf(warnings);
  }

  public MemberConfig member() { return member; }
  public ClusterConfig cluster() { return cluster; }
  public ProxyConfig proxy() { return proxy; }
  public SecurityConfig security() { return security; }
  public LoggingConfig logging() { return logging; }
  public VertxConfig vertx() { return vertx; }

  /**
   * Effective value of any flag in flag syntax (lists comma-joined), explicit or default.
   *
   * @throws IllegalArgumentException if {@code flagName} is not a known flag
   */
  public String raw(String flagName) {
    values.get(flagName); // rejects unknown names
    return values.raw(flagName);
  }

  /** True if the flag was given by any source (file, env or command line), even with its default value. */
  public boolean isSet(String flagName) {
    return values.isSet(flagName);
  }

  /**
   * Every flag's effective value in the sectioned JSON shape of {@code conf/etcd.json} (values in
   * flag syntax), e.g. for logging the configuration at startup like etcd does.
   */
  public JsonObject toJson() {
    JsonObject out = new JsonObject();
    for (Section section : Section.values()) {
      JsonObject body = new JsonObject();
      for (FlagSpec spec : FlagTable.inSection(section)) {
        body.put(spec.jsonKey(), raw(spec.name()));
      }
      out.put(section.jsonName(), body);
    }
    return out;
  }

  FlagValues values() {
    return values;
  }

  /** Names of all explicitly set flags. */
  public Set<String> explicitlySet() {
    return values.explicitlySet();
  }

  /** The etcd YAML {@code --config-file} in use, if any (then env and flags were ignored). */
  public Optional<String> configFile() {
    return configFile;
  }

  /**
   * Non-fatal findings to log at startup: ignored legacy flags, unrecognised ETCD_* variables,
   * flags ignored because of --config-file, and flags vetcd recognises but has not built
   * ({@link FeatureSupport}).
   */
  public List<String> warnings() {
    return warnings;
  }
}
