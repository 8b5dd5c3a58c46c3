package io.vetcd.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Parses arguments the way Go's {@code flag} package does for etcd: {@code -f}, {@code --f},
 * {@code -f=v}, {@code --f v}; booleans are bare or {@code --f=false} and never consume the
 * next argument; parsing stops at {@code --} or the first non-flag argument.
 */
public final class CommandLineParser {

  private static final Set<String> SUBCOMMANDS = Set.of("gateway", "grpc-proxy");

  private CommandLineParser() {
  }

  /**
   * @throws EarlyExit                      for {@code -h/--help} and {@code --version}
   * @throws UnsupportedSubcommandException for {@code etcd gateway|grpc-proxy ...}
   * @throws UnknownFlagException           for a flag etcd does not define
   * @throws ConfigException                for syntax errors (missing value, stray argument)
   */
  public static CommandLine parse(List<String> args) {
    if (!args.isEmpty() && SUBCOMMANDS.contains(args.get(0))) {
      throw new UnsupportedSubcommandException(args.get(0));
    }
    Map<String, String> flags = new LinkedHashMap<>();
    List<String> warnings = new ArrayList<>();
    String conf = null;
    String configFile = null;
    boolean version = false;

    int i = 0;
    while (i < args.size()) {
      String arg = args.get(i);
      if (arg.length() < 2 || arg.charAt(0) != '-') {
        break; // Go stops at the first non-flag; etcd then rejects it below.
      }
      int dashes = arg.startsWith("--") ? 2 : 1;
      if (dashes == 2 && arg.length() == 2) {
        i++; // "--" terminates the flags
        break;
      }
      String body = arg.substring(dashes);
      if (body.isEmpty() || body.startsWith("-") || body.startsWith("=")) {
        throw new ConfigException("etcd: bad flag syntax: " + arg);
      }
      String name = body;
      String value = null;
      int eq = body.indexOf('=');
      if (eq >= 0) {
        name = body.substring(0, eq);
        value = body.substring(eq + 1);
      }
      i++;

      if (name.equals("h") || name.equals("help")) {
        throw new EarlyExit(Usage.text());
      }
      if (name.equals(FlagTable.VERSION)) {
        if (value == null || FlagValueParser.parseBool(name, value)) {
          version = true;
        }
        continue;
      }
      boolean meta = name.equals(FlagTable.CONF) || name.equals(FlagTable.CONFIG_FILE);
      FlagSpec spec = FlagTable.byName(name);
      if (spec == null && !meta) {
        throw new UnknownFlagException(name);
      }
      if (spec != null && spec.type().isBoolean()) {
        if (spec.type() == FlagType.IGNORED) {
          // like etcd's IgnoredFlag: any "=value" is accepted and dropped
          warnings.add("flag --" + name + " is no longer supported by etcd; ignored");
          continue;
        }
        String v = value == null ? "true" : value;
        FlagValueParser.parseBool(name, v); // Go rejects a bad bool at parse time
        flags.put(name, v);
        continue;
      }
      if (value == null) {
        if (i >= args.size()) {
          throw new ConfigException("etcd: flag needs an argument: " + arg);
        }
        value = args.get(i++);
      }
      if (name.equals(FlagTable.CONF)) {
        conf = value;
      } else if (name.equals(FlagTable.CONFIG_FILE)) {
        configFile = value;
      } else {
        flags.put(name, value);
      }
    }
    if (i < args.size()) {
      throw new ConfigException("'" + args.get(i) + "' is not a valid flag");
    }
    if (version) {
      throw new EarlyExit(Usage.versionText());
    }
    return new CommandLine(java.util.Collections.unmodifiableMap(flags), Optional.ofNullable(conf), Optional.ofNullable(emptyToNull(configFile)),
        List.copyOf(warnings));
  }

  private static String emptyToNull(String s) {
    return s == null || s.isEmpty() ? null : s;
  }
}
