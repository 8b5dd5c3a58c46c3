package io.vetcd.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The single list of etcd flags vetcd accepts (so existing deployments start) but has not built.
 * The team lead edits {@link #NOT_BUILT}; nothing else needs to change.
 */
public final class FeatureSupport {

  /** Flags that are parsed and validated but have no effect yet. */
  public static final Set<String> NOT_BUILT = Set.of(
      // v2 proxy and discovery bootstrap
      "proxy", "proxy-failure-wait", "proxy-refresh-interval", "proxy-dial-timeout", "proxy-write-timeout",
      "proxy-read-timeout",
      "discovery", "discovery-fallback", "discovery-proxy", "discovery-srv", "discovery-srv-name",
      // v2 API
      "enable-v2", "experimental-enable-v2v3",
      // Go-runtime specific or bbolt specific
      "enable-pprof", "experimental-backend-bbolt-freelist-type", "log-package-levels");

  private FeatureSupport() {
  }

  /** One line per not-built flag that is set to something other than its default. */
  public static List<String> warnings(EtcdConfig config) {
    return warnings(config.values());
  }

  static List<String> warnings(FlagValues values) {
    List<String> out = new ArrayList<>();
    for (FlagSpec spec : FlagTable.all()) {
      if (NOT_BUILT.contains(spec.name()) && values.isSet(spec.name())
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
    return "flag --" + flag + " is recognised but not supported yet by vetcd; ignored";
  }
}
