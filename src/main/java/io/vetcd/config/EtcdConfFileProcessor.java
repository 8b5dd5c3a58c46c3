package io.vetcd.config;

import io.vertx.config.spi.ConfigProcessor;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;

/**
 * vertx-config format {@code etcdconf}: the RHEL/Fedora-style /etc/etcd/etcd.conf, i.e. a
 * systemd EnvironmentFile of {@code ETCD_NAME="default"} lines under {@code #[Member]} style
 * headers. Headers are cosmetic (etcd itself never sees them), so each key goes to the section
 * the flag table assigns. Empty values count as unset, as etcd ignores empty env vars.
 */
public final class EtcdConfFileProcessor implements ConfigProcessor {

  public static final String FORMAT = "etcdconf";

  @Override
  public String name() {
    return FORMAT;
  }

  @Override
  public Future<JsonObject> process(Vertx vertx, JsonObject configuration, Buffer input) {
    try {
      return Future.succeededFuture(parse(input.toString(StandardCharsets.UTF_8)));
    } catch (ConfigException e) {
      return Future.failedFuture(e);
    }
  }

  /** Parses the file text into sectioned JSON; an unknown key is a {@link ConfigException} naming the line. */
  public static JsonObject parse(String text) {
    SectionedJson out = new SectionedJson();
    String[] lines = text.split("\\r?\\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i].trim();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      if (line.startsWith("export ")) {
        line = line.substring("export ".length()).trim();
      }
      int eq = line.indexOf('=');
      if (eq <= 0) {
        throw new ConfigException("etcd.conf line " + (i + 1) + ": expected KEY=\"value\", got: " + line);
      }
      String key = line.substring(0, eq).trim();
      String value = unquote(line.substring(eq + 1).trim());
      if (key.equals("ETCD_VERSION")) {
        continue; // the RPM template lists it; etcd never reads it from the environment
      }
      if (key.equals("ETCD_CONFIG_FILE")) {
        throw new ConfigException("etcd.conf line " + (i + 1)
            + ": ETCD_CONFIG_FILE cannot be used inside a -conf file; pass --config-file instead");
      }
      FlagSpec spec = FlagTable.byEnvName(key);
      if (spec == null || spec.type() == FlagType.IGNORED) {
        throw new UnknownFlagException(key, "etcd.conf line " + (i + 1) + ": unknown key " + key);
      }
      if (!value.isEmpty()) {
        try {
          FlagValueParser.parse(spec, value);
        } catch (ConfigException bad) {
          throw new ConfigException("etcd.conf line " + (i + 1) + ": "
              + bad.getMessage().replace("for --" + spec.name() + ":", "for " + key + ":"), bad);
        }
        out.put(spec, value);
      }
    }
    return out.toJson();
  }

  /** Strips one pair of matching quotes, or an unquoted trailing comment. */
  private static String unquote(String v) {
    if (v.length() >= 2 && (v.charAt(0) == '"' || v.charAt(0) == '\'')) {
      int close = v.indexOf(v.charAt(0), 1);
      if (close > 0) {
        return v.substring(1, close);
      }
    }
    int hash = v.indexOf(" #");
    return (hash >= 0 ? v.substring(0, hash) : v).trim();
  }
}
