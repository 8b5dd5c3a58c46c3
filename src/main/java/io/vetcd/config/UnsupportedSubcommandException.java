package io.vetcd.config;

/**
 * etcd's {@code gateway} and {@code grpc-proxy} subcommands: recognised so the operator gets a
 * precise message instead of "not a valid flag", but vetcd does not implement them.
 */
public final class UnsupportedSubcommandException extends ConfigException {

  private final String subcommand;

  public UnsupportedSubcommandException(String subcommand) {
    super("etcd " + subcommand + " is recognised but not supported by vetcd");
    this.subcommand = subcommand;
  }

  public String subcommand() {
    return subcommand;
  }
}
