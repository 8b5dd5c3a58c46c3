package io.vetcd.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** etcd's {@code --auth-token} value: a type ({@code simple}|{@code jwt}) then {@code key=value} options. */
public record AuthTokenSpec(String type, Map<String, String> options) {

  private static final Set<String> TYPES = Set.of("simple", "jwt");
  private static final Set<String> JWT_OPTIONS = Set.of("pub-key", "priv-key", "sign-method", "ttl");

  public static AuthTokenSpec parse(String value) {
    String[] parts = value.split(",");
    String type = parts[0].trim();
    if (!TYPES.contains(type)) {
      throw ConfigException.invalidValue("auth-token", value, "token type must be simple or jwt");
    }
    Map<String, String> options = new LinkedHashMap<>();
    for (int i = 1; i < parts.length; i++) {
      int eq = parts[i].indexOf('=');
      String key = eq < 0 ? parts[i].trim() : parts[i].substring(0, eq).trim();
      if (eq < 0 || !JWT_OPTIONS.contains(key)) {
        throw ConfigException.invalidValue("auth-token", value,
            "options must be key=value with keys pub-key, priv-key, sign-method, ttl");
      }
      options.put(key, parts[i].substring(eq + 1).trim());
    }
    return new AuthTokenSpec(type, Collections.unmodifiableMap(options));
  }
}
