package io.vetcd.config;

import java.util.Locale;

/**
 * Where a flag lives in the sectioned config files: the JSON top-level object and the
 * RHEL-style {@code #[Header]} of /etc/etcd/etcd.conf. {@code VERTX} holds vetcd's own knobs.
 */
public enum Section {
  MEMBER("member", "Member"),
  CLUSTER("cluster", "Clustering"),
  PROXY("proxy", "Proxy"),
  SECURITY("security", "Security"),
  LOGGING("logging", "Logging"),
  VERTX("vertx", "Vertx");

  private final String jsonName;
  private final String header;

  Section(String jsonName, String header) {
    this.jsonName = jsonName;
    this.header = header;
  }

  /** Key of this section in the JSON config file. */
  public String jsonName() {
    return jsonName;
  }

  /** Header used in the RHEL-style etcd.conf, e.g. {@code Clustering} for {@code #[Clustering]}. */
  public String header() {
    return header;
  }

  public static Section fromJsonName(String name) {
    for (Section s : values()) {
      if (s.jsonName.equals(name.toLowerCase(Locale.ROOT))) {
        return s;
      }
    }
    return null;
  }
}
