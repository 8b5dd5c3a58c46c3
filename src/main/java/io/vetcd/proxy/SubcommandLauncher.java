package io.vetcd.proxy;

import io.vertx.core.Vertx;
import io.vetcd.config.ConfigException;
import io.vetcd.config.EarlyExit;
import io.vetcd.config.LogSetup;
import io.vetcd.config.LoggingConfig;
import io.vetcd.gateway.GatewayCommand;

import java.util.List;

/**
 * {@code etcd gateway ...} and {@code etcd grpc-proxy ...}: sets up zap-style logging on stderr (as both etcd
 * commands log), runs the command, and exits 0 on SIGINT/SIGTERM. A bad flag or a failed start prints etcd's
 * message and exits 1.
 */
public final class SubcommandLauncher {
  private SubcommandLauncher() {
  }

  public static boolean handles(String[] args) {
    return args.length > 0 && (args[0].equals("gateway") || args[0].equals("grpc-proxy"));
  }

  public static void main(String[] args) {
    List<String> rest = List.of(args).subList(1, args.length);
    boolean proxy = args[0].equals("grpc-proxy");
    LogSetup.apply(new LoggingConfig("zap", "info", List.of("stderr"), proxy && GrpcProxyCommand.debug(rest), ""));
    Vertx running;
    try {
      running = proxy ? GrpcProxyCommand.start(rest).vertx() : GatewayCommand.start(rest).vertx();
    } catch (EarlyExit e) {
      System.out.print(e.stdout());
      System.out.flush();
      System.exit(0);
      return;
    } catch (ConfigException e) {
      System.err.println(e.getMessage());
      System.err.flush();
      System.exit(1);
      return;
    }
    runUntilSignalled(running);
  }

  /**
   * Keeps a proxy's Vert.x running until SIGINT or SIGTERM, then exits 0 after closing it (what etcd's
   * proxies do on those signals). Shared by the subcommands and the config's proxy mode.
   */
  public static void runUntilSignalled(io.vertx.core.Vertx running) {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        running.close().await();
      } catch (Exception ignored) {
        // exiting anyway
      }
    }, "vetcd-proxy-shutdown"));
    for (String sig : new String[] {"INT", "TERM"}) {
      try {
        sun.misc.Signal.handle(new sun.misc.Signal(sig), s -> System.exit(0));
      } catch (IllegalArgumentException ignored) {
        // the signal is ignored in this process; leave it so
      }
    }
  }
}
