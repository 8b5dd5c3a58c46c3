package io.vetcd.config;

import io.vertx.core.json.JsonObject;

/** Builds the canonical sectioned JSON shape that every config source is normalised to. */
final class SectionedJson {

  private final JsonObject root = new JsonObject();

  /** Stores {@code value} for {@code spec} under its section; ignored legacy flags are dropped. */
  SectionedJson put(FlagSpec spec, Object value) {
    if (spec.section() != null) {
      JsonObject section = root.getJsonObject(spec.section().jsonName());
      if (section == null) {
        section = new JsonObject();
        root.put(spec.section().jsonName(), section);
      }
      section.put(spec.jsonKey(), value);
    }
    return this;
  }

  JsonObject toJson() {
    return root;
  }
}
