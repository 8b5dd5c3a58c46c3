package io.vetcd.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/** Turns the merged sectioned JSON into a validated {@link EtcdConfig}: types, defaults, derived values. */
final class EtcdConfigBuilder {

  private EtcdConfigBuilder() {
  }

  static EtcdConfig build(JsonObject merged, Optional<String> configFile, List<String> warnings) {
    Map<String, Object> typed = new HashMap<>();
    Map<String, String> raw = new HashMap<>();
    Set<String> explicit = new HashSet<>();

    for (String sectionName : merged.fieldNames()) {
      Section section = Section.fromJsonName(sectionName);
      Object body = merged.getValue(sectionName);
      if (section == null || !(body instanceof JsonObject)) {
        throw new ConfigException("unknown config section \"" + sectionName + "\"; expected one of member, cluster, proxy, "
            + "security, logging, vertx");
      }
      for (Map.Entry<String, Object> e : (JsonObject) body) {
        FlagSpec spec = FlagTable.bySectionKey(section, e.getKey());
        if (spec == null) {
          throw unknownKey(section, e.getKey());
        }
        if (e.getValue() == null) {
          continue; // "key:" with no value in YAML/JSON means unset, as in etcd
        }
        typed.put(spec.name(), FlagValueParser.parse(spec, e.getValue()));
        raw.put(spec.name(), rawText(e.getValue()));
        explicit.add(spec.name());
      }
    }

    for (FlagSpec spec : FlagTable.all()) {
      if (spec.type() != FlagType.IGNORED && !typed.containsKey(spec.name()) && spec.defaultValue() != null) {
        typed.put(spec.name(), FlagValueParser.parse(spec, spec.defaultValue()));
        raw.put(spec.name(), spec.defaultValue());
      }
    }
    applyDerivedDefaults(typed, raw, explicit);

    FlagValues values = new FlagValues(typed, raw, explicit);
    Map<String, List<URI>> initialCluster = EtcdUrls.parseCluster("initial-cluster", values.string("initial-cluster"));
    ConfigValidator.validate(values, initialCluster, configFile.isPresent());

    List<String> allWarnings = new ArrayList<>(warnings);
    allWarnings.addAll(FeatureSupport.warnings(values));
    return new EtcdConfig(values, new ClusterConfig(values, initialCluster), configFile, allWarnings);
  }

  /** etcd's derived defaults: data dir from the name, initial cluster from name and peer URLs. */
  private static void applyDerivedDefaults(Map<String, Object> typed, Map<String, String> raw, Set<String> explicit) {
    String name = (String) typed.get("name");
    if (!explicit.contains("data-dir") || ((String) typed.get("data-dir")).isEmpty()) {
      typed.put("data-dir", name + ".etcd");
      raw.put("data-dir", name + ".etcd");
    }
    if (!explicit.contains("initial-cluster")) {
      boolean discovery = !((String) typed.get("discovery")).isEmpty() || !((String) typed.get("discovery-srv")).isEmpty()
          || !((List<?>) typed.get("discovery-endpoints")).isEmpty();
      @SuppressWarnings("unchecked")
      List<URI> peers = (List<URI>) typed.get("initial-advertise-peer-urls");
      String cluster = discovery ? "" : peers.stream().map(u -> name + "=" + u).collect(Collectors.joining(","));
      typed.put("initial-cluster", cluster);
      raw.put("initial-cluster", cluster);
    }
    // --log-output is the deprecated spelling of --log-outputs.
    if (!explicit.contains("log-outputs") && explicit.contains("log-output")) {
      typed.put("log-outputs", typed.get("log-output"));
      raw.put("log-outputs", raw.get("log-output"));
    }
  }

  private static ConfigException unknownKey(Section section, String key) {
    FlagSpec elsewhere = null;
    for (FlagSpec spec : FlagTable.all()) {
      if (spec.section() != null && spec.jsonKey().equals(key)) {
        elsewhere = spec;
      }
    }
    if (elsewhere != null) {
      return new ConfigException("config key \"" + section.jsonName() + "." + key + "\" belongs in section \""
          + elsewhere.section().jsonName() + "\"");
    }
    return new UnknownFlagException(key, "unknown config key \"" + section.jsonName() + "." + key + "\"");
  }

  private static String rawText(Object value) {
    if (value instanceof JsonArray a) {
      return a.stream().map(String::valueOf).collect(Collectors.joining(","));
    }
    return FlagValueParser.text(value);
  }
}
