package io.vetcd.config;

import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * ETCD_* environment variables as sectioned JSON, with etcd's rules: empty values are ignored and
 * a variable whose flag is also on the command line is not read.
 */
final class EnvSource {

  private EnvSource() {
  }

  /** Converts {@code env}; adds a warning line for each unrecognised ETCD_* variable (etcd logs those too). */
  static JsonObject toSections(Map<String, String> env, java.util.Set<String> givenFlags, List<String> warnings) {
    SectionedJson out = new SectionedJson();
    for (Map.Entry<String, String> e : new TreeMap<>(env).entrySet()) {
      String key = e.getKey();
      if (!key.startsWith("ETCD_") || e.getValue() == null || e.getValue().isEmpty()) {
        continue;
      }
      if (key.equals("ETCD_CONFIG_FILE") || key.equals("ETCD_VERSION")) {
        continue; // config-file is handled by ConfigLoader; etcd never reads version from env
      }
      FlagSpec spec = FlagTable.byEnvName(key);
      if (spec == null) {
        warnings.add("unrecognized environment variable " + key + "=" + e.getValue());
        continue;
      }
      if (givenFlags.contains(spec.name())) {
        // etcd refuses to start in this case; vetcd lets the flag win but says so
        warnings.add("environment variable " + key + " is shadowed by command-line flag --" + spec.name());
        continue;
      }
      try {
        FlagValueParser.parse(spec, e.getValue()); // fail early, naming the variable as etcd does
      } catch (ConfigException bad) {
        throw new ConfigException(bad.getMessage().replace("for --" + spec.name() + ":", "for " + key + ":"), bad);
      }
      out.put(spec, e.getValue());
    }
    return out.toJson();
  }
}
