package io.vetcd.config;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.FileAppender;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * Configures logback programmatically from etcd's logging flags: {@code --log-level} (or
 * {@code --debug}), {@code --log-outputs} (stderr, stdout, default = stderr, or file paths), and
 * {@code --logger} (zap = JSON lines, capnslog = etcd's plain text), and with capnslog
 * {@code --log-package-levels} ({@link CapnslogPackageLevels}).
 */
public final class LogSetup {

  private LogSetup() {
  }

  /** Replaces the current logback configuration; safe to call more than once. */
  public static void apply(LoggingConfig config) {
    LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
    ctx.reset();
    Logger root = ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    Level level = toLevel(config.effectiveLogLevel());
    root.setLevel(level);
    // Netty's debug output is about its own internals and would drown the member's debug logs.
    ctx.getLogger("io.netty").setLevel(level.isGreaterOrEqual(Level.INFO) ? level : Level.INFO);

    String unparsed = null;
    if ("capnslog".equals(config.logger()) && !config.logPackageLevels().isEmpty()) {
      try {
        CapnslogPackageLevels.parse(config.logPackageLevels()).forEach((name, l) -> ctx.getLogger(name).setLevel(l));
      } catch (IllegalArgumentException e) {
        unparsed = e.getMessage();
      }
    }

    List<String> outputs = config.logOutputs().isEmpty() ? List.of("default") : config.logOutputs();
    for (String output : outputs) {
      root.addAppender(appender(ctx, output, config.logger()));
    }
    if (unparsed != null) {
      ctx.getLogger("embed").warn("couldn't parse log level string: {}, continuing with default levels", unparsed);
    }
  }

  /** etcd levels to logback; panic and fatal are error-and-exit in etcd, plain error here. */
  static Level toLevel(String etcdLevel) {
    switch (etcdLevel) {
      case "debug":
        return Level.DEBUG;
      case "warn":
        return Level.WARN;
      case "error":
      case "panic":
      case "fatal":
        return Level.ERROR;
      default:
        return Level.INFO;
    }
  }

  private static Appender<ILoggingEvent> appender(LoggerContext ctx, String output, String logger) {
    OutputStreamAppender<ILoggingEvent> appender;
    switch (output) {
      case "stdout":
      case "stderr":
      case "default": // etcd's default is journald under systemd, else stderr; stderr reaches journald too
        ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
        console.setTarget("stdout".equals(output) ? "System.out" : "System.err");
        appender = console;
        break;
      default:
        FileAppender<ILoggingEvent> file = new FileAppender<>();
        file.setFile(output);
        file.setAppend(true);
        appender = file;
    }
    appender.setContext(ctx);
    appender.setName("etcd-" + output);
    appender.setEncoder(encoder(ctx, logger));
    appender.start();
    return appender;
  }

  private static Encoder<ILoggingEvent> encoder(LoggerContext ctx, String logger) {
    if ("capnslog".equals(logger)) {
      CapnslogLayout layout = new CapnslogLayout();
      layout.setContext(ctx);
      layout.start();
      LayoutWrappingEncoder<ILoggingEvent> enc = new LayoutWrappingEncoder<>();
      enc.setContext(ctx);
      enc.setLayout(layout);
      enc.start();
      return enc;
    }
    ZapJsonEncoder enc = new ZapJsonEncoder();
    enc.setContext(ctx);
    enc.start();
    return enc;
  }
}
