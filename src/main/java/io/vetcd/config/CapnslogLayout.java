package io.vetcd.config;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.LayoutBase;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import org.slf4j.event.KeyValuePair;

/**
 * etcd 3.4's default capnslog text format: {@code 2026-11-25 08:00:00.000000 I | pkg: msg}.
 * Key-value pairs are appended as {@code key=value} since capnslog has no structured fields.
 */
public final class CapnslogLayout extends LayoutBase<ILoggingEvent> {

  private static final DateTimeFormatter TS =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS").withZone(ZoneId.systemDefault());

  @Override
  public String doLayout(ILoggingEvent event) {
    StringBuilder sb = new StringBuilder(128);
    sb.append(TS.format(Instant.ofEpochMilli(event.getTimeStamp()))).append(' ')
        .append(levelChar(event.getLevel())).append(" | ")
        .append(pkg(event.getLoggerName())).append(": ")
        .append(event.getFormattedMessage());
    if (event.getKeyValuePairs() != null) {
      for (KeyValuePair kv : event.getKeyValuePairs()) {
        sb.append(' ').append(kv.key).append('=').append(kv.value);
      }
    }
    sb.append('\n');
    if (event.getThrowableProxy() != null) {
      sb.append(ThrowableProxyUtil.asString(event.getThrowableProxy())).append('\n');
    }
    return sb.toString();
  }

  private static char levelChar(Level level) {
    switch (level.toInt()) {
      case Level.TRACE_INT:
      case Level.DEBUG_INT:
        return 'D';
      case Level.WARN_INT:
        return 'W';
      case Level.ERROR_INT:
        return 'E';
      default:
        return 'I';
    }
  }

  /** capnslog tags lines with the Go package; the closest Java notion is the last package segment. */
  private static String pkg(String loggerName) {
    if (loggerName == null) {
      return "";
    }
    int dot = loggerName.lastIndexOf('.');
    if (dot < 0) {
      return loggerName;
    }
    String pkg = loggerName.substring(0, dot);
    return pkg.substring(pkg.lastIndexOf('.') + 1);
  }
}
