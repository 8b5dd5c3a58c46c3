package io.vetcd.config;

import java.util.List;

/** The {@code logging} section. */
public final class LoggingConfig {

  private final String logger;
  private final String logLevel;
  private final List<String> logOutputs;
  private final boolean debug;
  private final String logPackageLevels;

  LoggingConfig(FlagValues v) {
    this(v.string("logger"), v.string("log-level"), v.get("log-outputs"), v.bool("debug"),
        v.string("log-package-levels"));
  }

  /** For callers (and tests) that set up logging without a full config. */
  public LoggingConfig(String logger, String logLevel, List<String> logOutputs, boolean debug, String logPackageLevels) {
    this.logger = logger;
    this.logLevel = logLevel;
    this.logOutputs = List.copyOf(logOutputs);
    this.debug = debug;
    this.logPackageLevels = logPackageLevels;
  }

  /** {@code zap} (JSON lines) or {@code capnslog} (plain text). */
  public String logger() { return logger; }
  /** As configured: debug, info, warn, error, panic or fatal. */
  public String logLevel() { return logLevel; }
  /** Level in effect: {@code --debug} forces debug, as in etcd. */
  public String effectiveLogLevel() { return debug ? "debug" : logLevel; }
  /** stderr, stdout, default (= stderr) or file paths. */
  public List<String> logOutputs() { return logOutputs; }
  public boolean debug() { return debug; }
  public String logPackageLevels() { return logPackageLevels; }
}
