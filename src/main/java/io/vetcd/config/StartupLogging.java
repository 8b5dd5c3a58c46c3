package io.vetcd.config;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ConfiguratorRank;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.spi.ContextAwareBase;
import org.slf4j.Logger;

/**
 * Logging from the first logger a start creates until {@link LogSetup#apply} replaces it with the
 * configured one: zap JSON lines on stderr, INFO (io.netty too), so early output already has
 * etcd's shape. Found by logback through {@code META-INF/services} and set up in code: the
 * {@code logback.xml} it replaces cost a third of the main thread's start-up samples (logback's
 * XML configurator, its SAX parser and model classes), before the member could do anything else.
 * A {@code logback-test.xml} on the class path (the tests') or {@code -Dlogback.configurationFile}
 * still wins: then logback's own configurators run as before.
 */
@ConfiguratorRank(ConfiguratorRank.CUSTOM_HIGH_PRIORITY)
public final class StartupLogging extends ContextAwareBase implements Configurator {

  @Override
  public ExecutionStatus configure(LoggerContext ctx) {
    if (System.getProperty("logback.configurationFile") != null
        || StartupLogging.class.getClassLoader().getResource("logback-test.xml") != null) {
      return ExecutionStatus.INVOKE_NEXT_IF_ANY;
    }
    install(ctx);
    return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
  }

  /** What logback.xml said: zap JSON on stderr, INFO for the root logger and io.netty. */
  static void install(LoggerContext ctx) {
    ZapJsonEncoder encoder = new ZapJsonEncoder();
    encoder.setContext(ctx);
    encoder.start();
    ConsoleAppender<ILoggingEvent> stderr = new ConsoleAppender<>();
    stderr.setContext(ctx);
    stderr.setName("STDERR");
    stderr.setTarget("System.err");
    stderr.setEncoder(encoder);
    stderr.start();
    ctx.getLogger("io.netty").setLevel(Level.INFO);
    ch.qos.logback.classic.Logger root = ctx.getLogger(Logger.ROOT_LOGGER_NAME);
    root.setLevel(Level.INFO);
    root.addAppender(stderr);
  }
}
