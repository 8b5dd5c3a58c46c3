package io.vetcd.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

class LogSetupTest {

  private static final Logger LOG = LoggerFactory.getLogger(LogSetupTest.class);

  @TempDir
  Path tmp;

  @AfterEach
  void restore() {
    LogSetup.apply(new LoggingConfig("zap", "info", List.of("stderr"), false, ""));
  }

  @Test
  void zapWritesJsonLinesWithKeyValues() throws Exception {
    Path file = tmp.resolve("etcd.log");
    LogSetup.apply(new LoggingConfig("zap", "info", List.of(file.toString()), false, ""));
    LOG.debug("hidden at info");
    LOG.atInfo().addKeyValue("member", "infra1").addKeyValue("term", 3L).addKeyValue("ok", true)
        .addKeyValue("wait", Duration.ofMillis(100)).log("became \"leader\"");
    List<String> lines = Files.readAllLines(file);
    assertEquals(1, lines.size(), lines.toString());
    JsonObject json = new JsonObject(lines.get(0));
    assertEquals("info", json.getString("level"));
    assertTrue(json.getString("ts").matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z"), json.getString("ts"));
    assertTrue(json.getString("caller").matches("config/LogSetupTest\\.java:\\d+"), json.getString("caller"));
    assertEquals("became \"leader\"", json.getString("msg"));
    assertEquals("infra1", json.getString("member"));
    assertEquals(3L, json.getLong("term"));
    assertEquals(true, json.getBoolean("ok"));
    assertEquals("100ms", json.getString("wait"));
    assertEquals(List.of("level", "ts", "caller", "msg", "member", "term", "ok", "wait"), List.copyOf(json.fieldNames()));
  }

  @Test
  void debugFlagAndErrorsWithStacktrace() throws Exception {
    Path file = tmp.resolve("debug.log");
    LogSetup.apply(new LoggingConfig("zap", "error", List.of(file.toString()), true, ""));
    LOG.debug("visible with --debug");
    LOG.error("boom", new IllegalStateException("bad"));
    List<String> lines = Files.readAllLines(file);
    assertEquals("debug", new JsonObject(lines.get(0)).getString("level"));
    JsonObject err = new JsonObject(lines.get(1));
    assertEquals("error", err.getString("level"));
    assertEquals("java.lang.IllegalStateException: bad", err.getString("error"));
    assertTrue(err.getString("stacktrace").contains("LogSetupTest"));
  }

  @Test
  void capnslogIsPlainText() throws Exception {
    Path file = tmp.resolve("capnslog.log");
    LogSetup.apply(new LoggingConfig("capnslog", "warn", List.of(file.toString()), false, ""));
    LOG.info("hidden at warn");
    LOG.atWarn().addKeyValue("k", "v").log("careful");
    List<String> lines = Files.readAllLines(file);
    assertEquals(1, lines.size());
    assertTrue(lines.get(0).matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{6} W \\| config: careful k=v"), lines.get(0));
    assertFalse(lines.get(0).startsWith("{"));
  }
}
