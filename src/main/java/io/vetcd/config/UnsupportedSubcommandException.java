package io.vetcd.config;

/**
 * etcd's {@code gateway} and {@code grpc-proxy} subcommands reaching the member's configuration: the launcher
 * ({@code io.vetcd.node.Launcher}) runs them itself ({@code io.vetcd.proxy.SubcommandLauncher}) before any member
 * configuration is read, so this is only thrown when they are handed to the member's parser directly.
 */
public final class UnsupportedSubcommandException extends ConfigException {

  private final String subcommand;

  public UnsupportedSubcommandException(String subcommand) {
    super("etcd " + subcommand + " is a subcommand, not a member configuration");
    this.subcommand = subcommand;
  }

  public String subcommand() {
    return subcommand;
  }
}
