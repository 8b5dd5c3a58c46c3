package io.vetcd.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The resolved value of every flag (explicit or default), typed per {@link FlagType}, plus the
 * raw text form and which flags were explicitly set. Immutable once built.
 */
final class FlagValues {

  private final Map<String, Object> typed;
  private final Map<String, String> raw;
  private final Set<String> explicit;

  FlagValues(Map<String, Object> typed, Map<String, String> raw, Set<String> explicit) {
    this.typed = Collections.unmodifiableMap(new LinkedHashMap<>(typed));
    this.raw = Collections.unmodifiableMap(new LinkedHashMap<>(raw));
    this.explicit = Set.copyOf(explicit);
  }

  @SuppressWarnings("unchecked")
  <T> T get(String flag) {
    if (!typed.containsKey(flag)) {
      throw new IllegalArgumentException("not a known flag: " + flag);
    }
    return (T) typed.get(flag);
  }

  String string(String flag) {
    return get(flag);
  }

  boolean bool(String flag) {
    return (Boolean) get(flag);
  }

  long number(String flag) {
    return (Long) get(flag);
  }

  int integer(String flag) {
    return Math.toIntExact(number(flag));
  }

  String raw(String flag) {
    return raw.get(flag);
  }

  boolean isSet(String flag) {
    return explicit.contains(flag);
  }

  Set<String> explicitlySet() {
    return explicit;
  }
}
