package io.vetcd.config;

import io.vertx.core.json.JsonArray;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;

/**
 * Converts a raw value from any source (command-line string, env string, JSON/YAML scalar or
 * array) into the typed Java value for a flag, using Go's flag parsing rules.
 */
public final class FlagValueParser {

  private static final long MAX_UINT32 = 4_294_967_295L;

  private FlagValueParser() {
  }

  /** Parses {@code raw} for {@code spec}; throws {@link ConfigException} naming flag, value and rule. */
  public static Object parse(FlagSpec spec, Object raw) {
    String flag = spec.name();
    switch (spec.type()) {
      case BOOL:
      case IGNORED:
        return raw instanceof Boolean b ? b : parseBool(flag, text(raw));
      case INT:
        return parseLong(flag, raw, Long.MIN_VALUE, Long.MAX_VALUE, "a signed integer");
      case UINT:
        return parseLong(flag, raw, 0, Long.MAX_VALUE, "a non-negative integer");
      case UINT32:
        return parseLong(flag, raw, 0, MAX_UINT32, "an integer between 0 and 4294967295");
      case DURATION:
        return parseDuration(flag, raw);
      case URLS:
        return EtcdUrls.parseList(flag, joined(raw));
      case STRINGS:
        return parseStrings(raw);
      case STRING:
      default:
        String s = text(raw);
        if (!spec.allowed().isEmpty() && !spec.allowed().contains(s)) {
          throw ConfigException.invalidValue(flag, s, "valid values are " + String.join(", ", spec.allowed()));
        }
        return s;
    }
  }

  /** Go's strconv.ParseBool. */
  public static boolean parseBool(String flag, String s) {
    switch (s) {
      case "1": case "t": case "T": case "TRUE": case "true": case "True":
        return true;
      case "0": case "f": case "F": case "FALSE": case "false": case "False":
        return false;
      default:
        throw ConfigException.invalidValue(flag, s, "must be a boolean (true or false)");
    }
  }

  private static long parseLong(String flag, Object raw, long min, long max, String what) {
    long v;
    if (raw instanceof Number n && !(raw instanceof Double || raw instanceof Float)) {
      v = n.longValue();
    } else {
      String s = text(raw).trim();
      try {
        v = parseGoInt(s);
      } catch (NumberFormatException e) {
        throw ConfigException.invalidValue(flag, s, "must be " + what);
      }
    }
    if (v < min || v > max) {
      throw ConfigException.invalidValue(flag, raw, "must be " + what);
    }
    return v;
  }

  /** strconv.ParseInt(s, 0, 64): decimal, 0x hex, 0o/leading-0 octal, 0b binary, '_' separators. */
  static long parseGoInt(String s) {
    String t = s;
    boolean neg = false;
    if (t.startsWith("-") || t.startsWith("+")) {
      neg = t.charAt(0) == '-';
      t = t.substring(1);
    }
    int radix = 10;
    String lower = t.toLowerCase(Locale.ROOT);
    if (lower.startsWith("0x")) {
      radix = 16;
      t = t.substring(2);
    } else if (lower.startsWith("0b")) {
      radix = 2;
      t = t.substring(2);
    } else if (lower.startsWith("0o")) {
      radix = 8;
      t = t.substring(2);
    } else if (t.length() > 1 && t.startsWith("0")) {
      radix = 8;
      t = t.substring(1);
    }
    if (radix != 10) {
      t = t.replace("_", "");
    }
    if (t.isEmpty() || t.startsWith("-") || t.startsWith("+")) {
      throw new NumberFormatException(s);
    }
    long v = Long.parseLong(t, radix);
    return neg ? -v : v;
  }

  private static Duration parseDuration(String flag, Object raw) {
    String s = text(raw).trim();
    try {
      return GoDuration.parse(s);
    } catch (IllegalArgumentException e) {
      throw ConfigException.invalidValue(flag, s, "must be a duration such as 300ms, 5s, 2h45m");
    }
  }

  private static List<String> parseStrings(Object raw) {
    LinkedHashSet<String> out = new LinkedHashSet<>();
    for (String part : joined(raw).split(",")) {
      String t = part.trim();
      if (!t.isEmpty()) {
        out.add(t);
      }
    }
    return List.copyOf(out);
  }

  /** Lists (JSON/YAML arrays) and comma-separated strings are equivalent inputs. */
  private static String joined(Object raw) {
    Collection<?> items = null;
    if (raw instanceof JsonArray a) {
      items = a.getList();
    } else if (raw instanceof Collection<?> c) {
      items = c;
    }
    if (items == null) {
      return text(raw);
    }
    List<String> parts = new ArrayList<>();
    for (Object o : items) {
      parts.add(String.valueOf(o));
    }
    return String.join(",", parts);
  }

  static String text(Object raw) {
    if (raw instanceof Double d && d == Math.rint(d) && !d.isInfinite()) {
      return Long.toString(d.longValue());
    }
    return String.valueOf(raw);
  }
}
