package io.vetcd.config;

import java.net.URI;
import java.util.List;
import java.util.Map;

/** Cross-flag checks etcd performs before starting (embed.Config.Validate and friends). */
final class ConfigValidator {

  private static final long MAX_ELECTION_MS = 50000;

  private ConfigValidator() {
  }

  static void validate(FlagValues v, Map<String, List<URI>> initialCluster, boolean fromConfigFile) {
    long tick = v.number("heartbeat-interval");
    long election = v.number("election-timeout");
    if (tick <= 0) {
      throw new ConfigException("--heartbeat-interval must be >0 (set to " + tick + "ms)");
    }
    if (election <= 0) {
      throw new ConfigException("--election-timeout must be >0 (set to " + election + "ms)");
    }
    if (5 * tick > election) {
      throw new ConfigException("--election-timeout[" + election + "ms] should be at least as 5 times as --heartbeat-interval["
          + tick + "ms]");
    }
    if (election > MAX_ELECTION_MS) {
      throw new ConfigException("--election-timeout[" + election + "ms] is too long, and should be set less than "
          + MAX_ELECTION_MS + "ms");
    }

    checkBindUrls(v, "listen-peer-urls");
    checkBindUrls(v, "listen-client-urls");
    checkBindUrls(v, "listen-metrics-urls");

    int bootstrapModes = 0;
    bootstrapModes += v.string("discovery").isEmpty() ? 0 : 1;
    bootstrapModes += v.string("discovery-srv").isEmpty() ? 0 : 1;
    List<String> discoveryEndpoints = v.get("discovery-endpoints");
    bootstrapModes += discoveryEndpoints.isEmpty() ? 0 : 1;
    if (v.string("discovery-token").isEmpty() != discoveryEndpoints.isEmpty()) {
      throw new ConfigException("both --discovery-token and --discovery-endpoints must be set");
    }
    for (String ep : discoveryEndpoints) {
      if (ep.isBlank()) throw new ConfigException("--discovery-endpoints must not contain empty endpoints");
    }
    bootstrapModes += v.isSet("initial-cluster") && !v.string("initial-cluster").isEmpty() ? 1 : 0;
    if (bootstrapModes > 1) {
      throw new ConfigException("multiple discovery or bootstrap flags are set. "
          + "Choose one of \"initial-cluster\", \"discovery\", \"discovery-endpoints\" or \"discovery-srv\"");
    }
    boolean proxyOff = "off".equals(v.string("proxy"));
    // a proxy is no member of the cluster: etcd checks the local name only when it bootstraps a member
    if (proxyOff && !initialCluster.isEmpty() && !initialCluster.containsKey(v.string("name"))) {
      throw new ConfigException("couldn't find local name \"" + v.string("name")
          + "\" in the initial cluster configuration (--initial-cluster=" + v.string("initial-cluster") + ")");
    }

    if (!fromConfigFile && proxyOff && v.isSet("listen-client-urls") && !v.isSet("advertise-client-urls")) {
      throw new ConfigException("--advertise-client-urls is required when --listen-client-urls is set explicitly");
    }

    AutoCompaction.validate(v.string("auto-compaction-mode"), v.string("auto-compaction-retention"));
    AuthTokenSpec.parse(v.string("auth-token"));

    long bcrypt = v.number("bcrypt-cost");
    if (bcrypt < 4 || bcrypt > 31) {
      throw ConfigException.invalidValue("bcrypt-cost", bcrypt, "must be between 4 and 31");
    }
    long validity = v.number("self-signed-cert-validity");
    if (validity < 1) {
      throw ConfigException.invalidValue("self-signed-cert-validity", validity, "must be at least 1 (years)");
    }
    for (String suite : v.<List<String>>get("cipher-suites")) {
      if (!CipherSuites.isKnown(suite)) {
        throw ConfigException.invalidValue("cipher-suites", v.raw("cipher-suites"), "unexpected TLS cipher suite \"" + suite + "\"");
      }
    }
    for (String origin : v.<List<String>>get("cors")) {
      if (!origin.equals("*")) {
        EtcdUrls.parse("cors", origin, v.raw("cors"));
      }
    }
    if (v.bool("experimental-enable-lease-checkpoint-persist") && !v.bool("experimental-enable-lease-checkpoint")) {
      throw new ConfigException(
          "setting experimental-enable-lease-checkpoint-persist requires experimental-enable-lease-checkpoint");
    }
    for (String knob : List.of("vertx-client-instances", "vertx-peer-instances", "vertx-event-loop-pool-size",
        "vertx-worker-pool-size")) {
      long n = v.number(knob);
      if (n < 1 || n > Integer.MAX_VALUE) {
        throw ConfigException.invalidValue(knob, n, "must be a positive integer");
      }
    }
  }

  /** etcd binds only to IP literals or localhost; unix sockets are exempt. */
  private static void checkBindUrls(FlagValues v, String flag) {
    for (URI url : v.<List<URI>>get(flag)) {
      if (url.getScheme().startsWith("unix")) {
        continue;
      }
      String host = EtcdUrls.host(url);
      if (!host.equals("localhost") && !isIpLiteral(host)) {
        throw ConfigException.invalidValue(flag, v.raw(flag), "expected IP in URL for binding (" + url + ")");
      }
    }
  }

  private static boolean isIpLiteral(String host) {
    if (host.contains(":")) {
      return host.matches("[0-9a-fA-F:.%a-zA-Z]+");
    }
    String[] parts = host.split("\\.", -1);
    if (parts.length != 4) {
      return false;
    }
    for (String p : parts) {
      if (!p.matches("\\d{1,3}") || Integer.parseInt(p) > 255) {
        return false;
      }
    }
    return true;
  }
}
