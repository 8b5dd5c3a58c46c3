package io.vetcd.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Arguments of {@code etcd gateway start} and {@code etcd grpc-proxy start} read the way etcd's cobra/pflag
 * commands read them, which differs from the member's Go {@code flag} parsing: flags and words may be
 * interleaved ({@code etcd gateway --endpoints=x start}), string-slice flags split on commas and accumulate
 * when repeated, and only {@code --name} (double dash) is a long flag.
 */
public final class SubcommandFlags {

  private final Map<String, List<String>> values = new LinkedHashMap<>();
  private final List<String> words = new ArrayList<>();
  private boolean help;

  private SubcommandFlags() {
  }

  /**
   * @param booleans flag names that take no value unless given as {@code --name=value}
   * @param known    every flag name the command defines (booleans included)
   * @throws ConfigException {@code unknown flag: --x} or {@code flag needs an argument: --x}, pflag's words
   */
  public static SubcommandFlags parse(List<String> args, Set<String> booleans, Set<String> known) {
    SubcommandFlags f = new SubcommandFlags();
    for (int i = 0; i < args.size(); i++) {
      String a = args.get(i);
      if (a.equals("--")) {
        f.words.addAll(args.subList(i + 1, args.size()));
        break;
      }
      if (a.equals("-h") || a.equals("--help")) {
        f.help = true;
        continue;
      }
      if (!a.startsWith("--") || a.length() == 2) {
        if (a.startsWith("-") && a.length() > 1) {
          throw new ConfigException("unknown shorthand flag: '" + a.charAt(1) + "' in " + a);
        }
        f.words.add(a);
        continue;
      }
      String body = a.substring(2);
      String name = body;
      String value = null;
      int eq = body.indexOf('=');
      if (eq >= 0) {
        name = body.substring(0, eq);
        value = body.substring(eq + 1);
      }
      if (!known.contains(name)) {
        throw new ConfigException("unknown flag: --" + name);
      }
      if (booleans.contains(name)) {
        String v = value == null ? "true" : value;
        if (!v.equals("true") && !v.equals("false") && !v.equals("1") && !v.equals("0")) {
          throw new ConfigException("invalid argument \"" + v + "\" for \"--" + name + "\" flag: strconv.ParseBool: parsing \""
              + v + "\": invalid syntax");
        }
        f.values.computeIfAbsent(name, k -> new ArrayList<>()).add(v.equals("1") ? "true" : v.equals("0") ? "false" : v);
        continue;
      }
      if (value == null) {
        if (i + 1 >= args.size()) {
          throw new ConfigException("flag needs an argument: --" + name);
        }
        value = args.get(++i);
      }
      f.values.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
    }
    return f;
  }

  public boolean help() {
    return help;
  }

  /** Positional words, e.g. {@code start}. */
  public List<String> words() {
    return words;
  }

  public boolean has(String name) {
    return values.containsKey(name);
  }

  /** The last value given, or the default. */
  public String string(String name, String dflt) {
    List<String> v = values.get(name);
    return v == null ? dflt : v.get(v.size() - 1);
  }

  public boolean bool(String name) {
    return Boolean.parseBoolean(string(name, "false"));
  }

  public int integer(String name, int dflt) {
    String v = string(name, null);
    if (v == null) return dflt;
    try {
      return Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw new ConfigException("invalid argument \"" + v + "\" for \"--" + name + "\" flag: strconv.ParseInt: parsing \""
          + v + "\": invalid syntax");
    }
  }

  /** pflag's StringSlice: every occurrence split on commas (an empty value gives no elements), or the default. */
  public List<String> slice(String name, List<String> dflt) {
    List<String> v = values.get(name);
    if (v == null) return dflt;
    List<String> out = new ArrayList<>();
    for (String s : v) {
      if (s.isEmpty()) continue;
      for (String part : s.split(",", -1)) out.add(part.trim());
    }
    return out;
  }

  /** Go durations ("1m", "30s", "1m30s"). */
  public java.time.Duration duration(String name, java.time.Duration dflt) {
    String v = string(name, null);
    if (v == null) return dflt;
    try {
      return GoDuration.parse(v);
    } catch (RuntimeException e) {
      throw new ConfigException("invalid argument \"" + v + "\" for \"--" + name + "\" flag: time: invalid duration \"" + v + "\"");
    }
  }
}
