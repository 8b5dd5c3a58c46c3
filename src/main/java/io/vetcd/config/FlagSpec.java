package io.vetcd.config;

import java.util.List;
import java.util.Locale;

/**
 * One etcd (or vetcd) flag.
 *
 * @param name         flag name without dashes, e.g. {@code listen-client-urls}
 * @param type         Go flag kind
 * @param defaultValue effective default as etcd applies it, in flag syntax ({@code null} when the
 *                     default is derived from other flags, e.g. data-dir = {@code <name>.etcd})
 * @param section      config-file section; {@code null} only for ignored legacy flags
 * @param helpGroup    heading under which {@code --help} lists the flag; {@code null} hides it
 * @param helpDefault  default as etcd's {@code --help} prints it
 * @param description  one-line help text
 * @param allowed      allowed values for enumerated string flags, empty when free-form
 */
public record FlagSpec(
    String name,
    FlagType type,
    String defaultValue,
    Section section,
    String helpGroup,
    String helpDefault,
    String description,
    List<String> allowed) {

  private static final String VERTX_PREFIX = "vertx-";

  /** Environment variable etcd reads for this flag: ETCD_ + upper-case name, dashes to underscores. */
  public String envName() {
    return "ETCD_" + name.toUpperCase(Locale.ROOT).replace('-', '_');
  }

  /** Key inside its JSON section; vetcd's knobs drop the {@code vertx-} prefix there. */
  public String jsonKey() {
    if (section == Section.VERTX && name.startsWith(VERTX_PREFIX)) {
      return name.substring(VERTX_PREFIX.length());
    }
    return name;
  }
}
