package io.vetcd.config;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.encoder.EncoderBase;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import org.slf4j.event.KeyValuePair;

/**
 * One JSON object per line, shaped like etcd's zap logger so existing log pipelines keep working:
 * {@code {"level":"info","ts":"...Z","caller":"node/Launcher.java:42","msg":"...","key":"value"}}.
 * SLF4J 2 key-value pairs ({@code log.atInfo().addKeyValue(k, v)}) become top-level fields.
 */
public final class ZapJsonEncoder extends EncoderBase<ILoggingEvent> {

  private static final DateTimeFormatter TS =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
  private static final JsonFactory JSON = new JsonFactory();
  private static final byte[] NONE = new byte[0];

  @Override
  public byte[] headerBytes() {
    return NONE;
  }

  @Override
  public byte[] footerBytes() {
    return NONE;
  }

  @Override
  public byte[] encode(ILoggingEvent event) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.writeStartObject();
      g.writeStringField("level", levelName(event.getLevel()));
      g.writeStringField("ts", TS.format(Instant.ofEpochMilli(event.getTimeStamp())));
      String caller = caller(event);
      if (caller != null) {
        g.writeStringField("caller", caller);
      }
      g.writeStringField("msg", event.getFormattedMessage());
      if (event.getKeyValuePairs() != null) {
        for (KeyValuePair kv : event.getKeyValuePairs()) {
          g.writeFieldName(kv.key);
          writeValue(g, kv.value);
        }
      }
      IThrowableProxy error = event.getThrowableProxy();
      if (error != null) {
        g.writeStringField("error", error.getClassName() + ": " + error.getMessage());
        g.writeStringField("stacktrace", ThrowableProxyUtil.asString(error));
      }
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    out.write('\n');
    return out.toByteArray();
  }

  /** zap's lower-case level names. */
  static String levelName(Level level) {
    switch (level.toInt()) {
      case Level.TRACE_INT:
      case Level.DEBUG_INT:
        return "debug";
      case Level.WARN_INT:
        return "warn";
      case Level.ERROR_INT:
        return "error";
      default:
        return "info";
    }
  }

  /** zap's short caller: last package segment / file : line, e.g. {@code node/Launcher.java:42}. */
  static String caller(ILoggingEvent event) {
    StackTraceElement[] frames = event.getCallerData();
    if (frames == null || frames.length == 0) {
      return null;
    }
    StackTraceElement top = frames[0];
    String cls = top.getClassName();
    int lastDot = cls.lastIndexOf('.');
    String pkg = lastDot < 0 ? "" : cls.substring(0, lastDot);
    String lastPkg = pkg.substring(pkg.lastIndexOf('.') + 1);
    String file = top.getFileName() != null ? top.getFileName() : cls.substring(lastDot + 1) + ".java";
    return (lastPkg.isEmpty() ? "" : lastPkg + "/") + file + ":" + top.getLineNumber();
  }

  private static void writeValue(JsonGenerator g, Object value) throws IOException {
    if (value == null) {
      g.writeNull();
    } else if (value instanceof Boolean b) {
      g.writeBoolean(b);
    } else if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte) {
      g.writeNumber(((Number) value).longValue());
    } else if (value instanceof BigInteger bi) {
      g.writeNumber(bi);
    } else if (value instanceof BigDecimal bd) {
      g.writeNumber(bd);
    } else if (value instanceof Double || value instanceof Float) {
      g.writeNumber(((Number) value).doubleValue());
    } else if (value instanceof java.time.Duration d) {
      g.writeString(GoDuration.format(d)); // zap's string duration encoder style
    } else {
      g.writeString(String.valueOf(value));
    }
  }
}
