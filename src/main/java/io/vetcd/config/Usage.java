package io.vetcd.config;

/** The {@code --help} and {@code --version} texts, laid out like etcd 3.4's. */
public final class Usage {

  /** The etcd release whose flags and behaviour vetcd reproduces. */
  public static final String ETCD_VERSION = "3.4.23";

  /** etcd's help text prints these defaults without quotes; kept so the output matches line for line. */
  private static final java.util.Set<String> UNQUOTED_DEFAULTS = java.util.Set.of("bcrypt-cost", "auth-token-ttl",
      "proxy-failure-wait", "proxy-refresh-interval", "proxy-dial-timeout", "proxy-write-timeout",
      "proxy-read-timeout", "experimental-compaction-batch-limit");

  private Usage() {
  }

  /** etcd-style usage, generated from {@link FlagTable} so it never drifts from what is accepted. */
  public static String text() {
    StringBuilder sb = new StringBuilder();
    sb.append("Usage:\n\n")
        .append("  etcd [flags]\n    Start an etcd server.\n\n")
        .append("  etcd --version\n    Show the version of etcd.\n\n")
        .append("  etcd -h | --help\n    Show the help information about etcd.\n\n")
        .append("  etcd --config-file\n    Path to the server configuration file. Note that if a configuration file is provided, ")
        .append("other command line flags and environment variables will be ignored.\n\n")
        .append("  etcd -conf FILE\n    (vetcd) JSON or sectioned etcd.conf file; command line flags and ETCD_* environment ")
        .append("variables override its values.\n\n")
        .append("  etcd gateway\n    Run the stateless pass-through etcd TCP connection forwarding proxy. (not supported by vetcd)\n\n")
        .append("  etcd grpc-proxy\n    Run the stateless etcd v3 gRPC L7 reverse proxy. (not supported by vetcd)\n\n");
    for (String group : FlagTable.HELP_GROUPS) {
      sb.append('\n').append(group).append(":\n");
      for (FlagSpec spec : FlagTable.all()) {
        if (group.equals(spec.helpGroup())) {
          String def = UNQUOTED_DEFAULTS.contains(spec.name()) ? spec.helpDefault() : "'" + spec.helpDefault() + "'";
          sb.append("  --").append(spec.name()).append(' ').append(def).append('\n')
              .append("    ").append(spec.description()).append('\n');
        }
      }
    }
    sb.append("\nCAUTIOUS with unsafe flag! It may break the guarantees given by the consensus protocol!\n");
    return sb.toString();
  }

  /** Same four lines as {@code etcd --version}; the SHA line says honestly that this is vetcd. */
  public static String versionText() {
    return "etcd Version: " + ETCD_VERSION + "\n"
        + "Git SHA: vetcd\n"
        + "Go Version: not Go (vetcd on Java " + Runtime.version().feature() + ")\n"
        + "Go OS/Arch: " + goOs() + "/" + goArch() + "\n";
  }

  private static String goOs() {
    String os = System.getProperty("os.name", "").toLowerCase();
    if (os.contains("linux")) {
      return "linux";
    }
    if (os.contains("mac")) {
      return "darwin";
    }
    return os.contains("win") ? "windows" : os;
  }

  private static String goArch() {
    String arch = System.getProperty("os.arch", "");
    switch (arch) {
      case "amd64": case "x86_64":
        return "amd64";
      case "aarch64":
        return "arm64";
      default:
        return arch;
    }
  }
}
