package io.vetcd.config;

import io.vertx.config.spi.ConfigProcessor;
import io.vertx.config.yaml.YamlProcessor;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;

/**
 * vertx-config format {@code etcdyaml}: etcd's {@code --config-file} YAML (flat keys named after
 * flags, plus {@code client-transport-security} and {@code peer-transport-security} maps),
 * normalised to sectioned JSON. Like etcd, which unmarshals leniently, unknown keys only warn.
 */
public final class EtcdYamlProcessor implements ConfigProcessor {

  public static final String FORMAT = "etcdyaml";

  /** Marker key carrying warnings through the retriever; removed by {@link ConfigLoader}. */
  static final String WARNINGS_KEY = "__warnings";

  private static final Map<String, String> CLIENT_TLS = Map.of(
      "cert-file", "cert-file", "key-file", "key-file", "client-cert-auth", "client-cert-auth",
      "trusted-ca-file", "trusted-ca-file", "auto-tls", "auto-tls",
      "crl-file", "client-crl-file", "allowed-hostname", "client-cert-allowed-hostname");
  private static final Map<String, String> PEER_TLS = Map.of(
      "cert-file", "peer-cert-file", "key-file", "peer-key-file", "client-cert-auth", "peer-client-cert-auth",
      "trusted-ca-file", "peer-trusted-ca-file", "auto-tls", "peer-auto-tls",
      "crl-file", "peer-crl-file", "allowed-cn", "peer-cert-allowed-cn", "allowed-hostname", "peer-cert-allowed-hostname");

  @Override
  public String name() {
    return FORMAT;
  }

  @Override
  public Future<JsonObject> process(Vertx vertx, JsonObject configuration, Buffer input) {
    if (input.length() == 0 || input.toString().isBlank()) {
      return Future.succeededFuture(new JsonObject());
    }
    return new YamlProcessor().process(vertx, configuration, input).recover(e -> Future.failedFuture(
        e.getCause() instanceof ClassCastException ? notAMapping(input) : e)).compose(flat -> {
      try {
        return Future.succeededFuture(toSections(flat));
      } catch (ConfigException e) {
        return Future.failedFuture(e);
      }
    });
  }

  /**
   * A document that is valid YAML but not a mapping (a scalar, a list): vertx-config's processor casts
   * it to a Map and fails with a ClassCastException (wrapped in a DecodeException). etcd's yaml.Unmarshal into its config struct says
   * what it found instead, and so do we.
   */
  private static Throwable notAMapping(Buffer input) {
    Object doc;
    try {
      doc = new org.yaml.snakeyaml.Yaml(new org.yaml.snakeyaml.constructor.SafeConstructor(new org.yaml.snakeyaml.LoaderOptions()))
          .load(input.toString());
    } catch (RuntimeException e) {
      return e;
    }
    String found = doc instanceof List ? "array" : doc instanceof Number ? "number" : doc instanceof Boolean ? "bool" : "string";
    // not a ConfigException: the loader prefixes "cannot load config file <path>: "
    return new IllegalArgumentException("error unmarshaling JSON: while decoding JSON: json: cannot unmarshal " + found
        + " into Go value of type embed.configYAML");
  }

  /** Maps flat etcd YAML keys to sections; durations given as numbers are nanoseconds (Go JSON semantics). */
  static JsonObject toSections(JsonObject flat) {
    SectionedJson out = new SectionedJson();
    List<String> warnings = new java.util.ArrayList<>();
    for (Map.Entry<String, Object> e : flat) {
      String key = e.getKey();
      if (key.equals("client-transport-security") || key.equals("peer-transport-security")) {
        if (e.getValue() instanceof JsonObject tls) {
          Map<String, String> names = key.startsWith("client") ? CLIENT_TLS : PEER_TLS;
          for (Map.Entry<String, Object> t : tls) {
            String flag = names.get(t.getKey());
            if (flag == null) {
              warnings.add("unknown key \"" + key + "." + t.getKey() + "\" in config file; ignored");
            } else {
              out.put(FlagTable.byName(flag), normalise(FlagTable.byName(flag), t.getValue()));
            }
          }
        }
        continue;
      }
      FlagSpec spec = FlagTable.byName(key);
      if (spec == null || spec.section() == null) {
        warnings.add("unknown key \"" + key + "\" in config file; ignored");
        continue;
      }
      out.put(spec, normalise(spec, e.getValue()));
    }
    JsonObject json = out.toJson();
    if (!warnings.isEmpty()) {
      json.put(WARNINGS_KEY, new io.vertx.core.json.JsonArray(warnings));
    }
    return json;
  }

  private static Object normalise(FlagSpec spec, Object value) {
    if (spec.type() == FlagType.DURATION && value instanceof Number n) {
      return n.longValue() + "ns";
    }
    if (spec.name().equals("proxy") && value instanceof Boolean b) {
      return b ? "on" : "off";
    }
    if ((spec.type() == FlagType.STRING || spec.type() == FlagType.URLS) && value instanceof Boolean b) {
      return b.toString(); // YAML 1.1 reads unquoted off/on/yes/no as booleans
    }
    return value;
  }
}
