package io.vetcd.config;

import io.vertx.config.ConfigRetriever;
import io.vertx.config.ConfigRetrieverOptions;
import io.vertx.config.ConfigStoreOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Entry point for the launcher. Sources, lowest precedence first, merged by a vertx-config
 * {@link ConfigRetriever}: the {@code -conf} file (JSON or sectioned etcd.conf), ETCD_* env vars,
 * command-line flags. With etcd's {@code --config-file} (or ETCD_CONFIG_FILE) the YAML file is the
 * only source and other flags and env vars are ignored, exactly as etcd does.
 */
public final class ConfigLoader {

  private static final Logger LOG = LoggerFactory.getLogger(ConfigLoader.class);

  private ConfigLoader() {
  }

  /**
   * Parses {@code args} (without the program name) and loads the configuration.
   *
   * <p>The future fails with {@link EarlyExit} for --help/--version, {@link UnsupportedSubcommandException}
   * for gateway/grpc-proxy, {@link UnknownFlagException} or {@link ConfigException} otherwise;
   * {@link #reportFailure} turns any of these into output and an exit code.
   */
  public static Future<EtcdConfig> load(Vertx vertx, List<String> args, Map<String, String> env) {
    CommandLine cmd;
    try {
      cmd = CommandLineParser.parse(args);
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    List<String> warnings = new ArrayList<>(cmd.warnings());
    Optional<String> configFile = cmd.configFile().or(() -> nonEmpty(env.get("ETCD_CONFIG_FILE")));
    if (configFile.isPresent()) {
      return loadEtcdYaml(vertx, configFile.get(), cmd, env, warnings);
    }
    List<ConfigStoreOptions> stores = new ArrayList<>();
    try {
      stores.add(jsonStore(EnvSource.toSections(env, cmd.flags().keySet(), warnings)));
      stores.add(jsonStore(flagsToSections(cmd)));
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    Future<List<ConfigStoreOptions>> allStores = cmd.conf().isEmpty() ? Future.succeededFuture(stores)
        : detectFormat(vertx, cmd.conf().get()).map(format -> {
          stores.add(0, fileStore(cmd.conf().get(), format)); // lowest precedence
          return stores;
        });
    return allStores.compose(s -> retrieve(vertx, s, cmd.conf()))
        .map(merged -> build(merged, Optional.empty(), warnings));
  }

  /** Blocking convenience for tests and tools; do not call on an event-loop thread. */
  public static EtcdConfig loadSync(Vertx vertx, List<String> args, Map<String, String> env) {
    try {
      return load(vertx, args, env).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      throw new ConfigException(String.valueOf(e.getCause()), e.getCause());
    } catch (InterruptedException | TimeoutException e) {
      throw new ConfigException("loading configuration did not finish: " + e, e);
    }
  }

  /**
   * Prints what a failed {@link #load} means, the way etcd would, and returns the exit code:
   * help/version text to {@code out} with 0, otherwise one line to {@code err} with 1.
   */
  public static int reportFailure(Throwable failure, PrintStream out, PrintStream err) {
    if (failure instanceof EarlyExit exit) {
      out.print(exit.stdout());
      out.flush();
      return exit.exitCode();
    }
    String message = failure instanceof ConfigException ? failure.getMessage() : "etcd: " + failure;
    err.println(message);
    err.flush();
    return 1;
  }

  private static Future<EtcdConfig> loadEtcdYaml(Vertx vertx, String path, CommandLine cmd, Map<String, String> env,
      List<String> warnings) {
    LOG.atInfo().addKeyValue("path", path)
        .log("loaded server configuration, other configuration command line flags and environment variables "
            + "will be ignored if provided");
    List<String> ignored = new ArrayList<>(cmd.flags().keySet());
    cmd.conf().ifPresent(c -> ignored.add(FlagTable.CONF));
    env.keySet().stream().filter(k -> k.startsWith("ETCD_") && !k.equals("ETCD_CONFIG_FILE")).sorted()
        .forEach(ignored::add);
    if (!ignored.isEmpty()) {
      warnings.add("--config-file " + path + " is in use; ignoring " + String.join(", ", ignored));
    }
    ConfigStoreOptions store = fileStore(path, EtcdYamlProcessor.FORMAT);
    return retrieve(vertx, List.of(store), Optional.of(path)).map(merged -> build(merged, Optional.of(path), warnings));
  }

  private static Future<JsonObject> retrieve(Vertx vertx, List<ConfigStoreOptions> stores, Optional<String> file) {
    ConfigRetrieverOptions options = new ConfigRetrieverOptions().setIncludeDefaultStores(false).setScanPeriod(-1);
    stores.forEach(options::addStore);
    ConfigRetriever retriever = ConfigRetriever.create(vertx, options);
    return retriever.getConfig()
        .eventually(retriever::close)
        .recover(e -> Future.failedFuture(e instanceof ConfigException ? e
            : new ConfigException("cannot load config file " + file.orElse("") + ": " + rootMessage(e), e)));
  }

  private static EtcdConfig build(JsonObject merged, Optional<String> configFile, List<String> warnings) {
    Object fileWarnings = merged.remove(EtcdYamlProcessor.WARNINGS_KEY);
    if (fileWarnings instanceof JsonArray a) {
      a.forEach(w -> warnings.add(String.valueOf(w)));
    }
    return EtcdConfigBuilder.build(merged, configFile, warnings);
  }

  private static JsonObject flagsToSections(CommandLine cmd) {
    SectionedJson out = new SectionedJson();
    cmd.flags().forEach((name, value) -> {
      FlagSpec spec = FlagTable.byName(name);
      FlagValueParser.parse(spec, value); // report a bad flag value before reading any file
      out.put(spec, value);
    });
    return out.toJson();
  }

  /** {@code -conf} format: by extension, else by content (JSON starts with '{'). */
  static Future<String> detectFormat(Vertx vertx, String path) {
    String lower = path.toLowerCase(Locale.ROOT);
    if (lower.endsWith(".json")) {
      return Future.succeededFuture("json");
    }
    if (lower.endsWith(".yml") || lower.endsWith(".yaml")) {
      return Future.succeededFuture(EtcdYamlProcessor.FORMAT);
    }
    if (lower.endsWith(".conf") || lower.endsWith(".env")) {
      return Future.succeededFuture(EtcdConfFileProcessor.FORMAT);
    }
    return vertx.fileSystem().readFile(path)
        .map(text -> text.toString(StandardCharsets.UTF_8).stripLeading().startsWith("{") ? "json"
            : EtcdConfFileProcessor.FORMAT)
        .recover(e -> Future.failedFuture(new ConfigException("cannot load config file " + path + ": " + rootMessage(e), e)));
  }

  private static ConfigStoreOptions fileStore(String path, String format) {
    return new ConfigStoreOptions().setType("file").setFormat(format).setConfig(new JsonObject().put("path", path));
  }

  private static ConfigStoreOptions jsonStore(JsonObject json) {
    return new ConfigStoreOptions().setType("json").setConfig(json);
  }

  private static Optional<String> nonEmpty(String s) {
    return s == null || s.isEmpty() ? Optional.empty() : Optional.of(s);
  }

  /** The innermost cause's text on one line; a JSON parser's, without the Java types it names. */
  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    if (t instanceof com.fasterxml.jackson.core.JsonProcessingException j) {
      var at = j.getLocation();
      String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
      return (t instanceof com.fasterxml.jackson.databind.exc.MismatchedInputException
          ? "a value of the wrong type" : "invalid JSON") + where;
    }
    return String.valueOf(t.getMessage()).replaceAll("\\s+", " ").strip();
  }
}
