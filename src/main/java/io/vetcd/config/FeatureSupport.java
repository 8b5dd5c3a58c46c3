package io.vetcd.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The single list of etcd flags vetcd accepts (so existing deployments start) but has not built.
 * The team lead edits {@link #NOT_BUILT}; nothing else needs to change.
 */
public final class FeatureSupport {

  /**
   * Flags that are parsed and validated but have no effect, each with the reason (logged at
   * start-up when such a flag is set to something other than its default).
   */
  public static final Map<String, String> NOT_BUILT = notBuilt(
      // v2 proxy: --proxy on|readonly runs vetcd's gRPC proxy (io.vetcd.proxy.ProxyMode); these two are v2 HTTP
      // transport deadlines per connection read/write, which would cut the v3 proxy's long-lived watch streams
      "proxy-write-timeout", "a v2 HTTP connection write deadline; the v3 proxy's calls carry the client's own gRPC deadline",
      "proxy-read-timeout", "a v2 HTTP connection read deadline; the v3 proxy's calls carry the client's own gRPC deadline",
      // etcd 3.6's v3 discovery client talks to the registry's JSON gateway over HTTP/1.1: no gRPC keepalive
      "discovery-keepalive-time", "the v3 discovery client uses the registry's JSON gateway (HTTP/1.1), which has no gRPC keepalive",
      "discovery-keepalive-timeout", "the v3 discovery client uses the registry's JSON gateway (HTTP/1.1), which has no gRPC keepalive",
      // v2 API
      "enable-v2", "the v2 API is not built",
      "experimental-enable-v2v3", "the v2 API is not built",
      // Go-runtime specific or bbolt specific
      "enable-pprof", "Go's pprof has no JVM equivalent here; use JFR",
      "experimental-backend-bbolt-freelist-type", "vetcd's backend is RocksDB, not bbolt",
      "backend-batch-interval", "bbolt's commit batching; vetcd writes one RocksDB batch per applied batch of entries, unsynced, and keeps the raft WAL until RocksDB has flushed (the raft WAL is the durable copy)",
      "backend-batch-limit", "bbolt's commit batching; vetcd writes one RocksDB batch per applied batch of entries, unsynced, and keeps the raft WAL until RocksDB has flushed (the raft WAL is the durable copy)",
      "max-snapshots", "vetcd writes no snapshot files to purge: a snapshot is a marker in its WAL, the data stays in RocksDB",
      // peer TLS
      "experimental-peer-skip-client-san-verification",
          "peer client certificates are not checked against the remote address (only --peer-cert-allowed-cn/-hostname), so there is nothing to skip");

  private static Map<String, String> notBuilt(String... flagAndReason) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < flagAndReason.length; i += 2) m.put(flagAndReason[i], flagAndReason[i + 1]);
    return Collections.unmodifiableMap(m);
  }

  private FeatureSupport() {
  }

  /** One line per not-built flag that is set to something other than its default. */
  public static List<String> warnings(EtcdConfig config) {
    return warnings(config.values());
  }

  static List<String> warnings(FlagValues values) {
    List<String> out = new ArrayList<>();
    for (FlagSpec spec : FlagTable.all()) {
      if (NOT_BUILT.containsKey(spec.name()) && values.isSet(spec.name())
          && !sameAsDefault(spec, values)) {
        out.add(warning(spec.name()));
      }
    }
    return out;
  }

  /** Compares typed values so "false", "0" and false all count as bool defaults. */
  private static boolean sameAsDefault(FlagSpec spec, FlagValues values) {
    if (spec.defaultValue() == null) {
      return false;
    }
    Object def = FlagValueParser.parse(spec, spec.defaultValue());
    return def.equals(values.get(spec.name()));
  }

  private static String warning(String flag) {
    return "flag --" + flag + " is recognised but not built in vetcd (" + NOT_BUILT.get(flag) + "); ignored";
  }
}
