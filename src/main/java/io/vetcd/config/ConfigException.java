package io.vetcd.config;

/**
 * A configuration problem the operator must fix. The message is always a single line
 * (the launcher prints it verbatim and exits 1), naming the key, the value and what is allowed.
 */
public class ConfigException extends RuntimeException {

  public ConfigException(String message) {
    super(oneLine(message));
  }

  public ConfigException(String message, Throwable cause) {
    super(oneLine(message), cause);
  }

  /** Builds the canonical "bad value" message used for every typed flag. */
  public static ConfigException invalidValue(String flag, Object value, String allowed) {
    return new ConfigException("invalid value \"" + value + "\" for --" + flag + ": " + allowed);
  }

  private static String oneLine(String message) {
    return message == null ? "" : message.replaceAll("[\\r\\n]+", " ").trim();
  }
}
