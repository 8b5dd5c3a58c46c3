package io.vetcd.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
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

  @Test
  void capnslogPackageLevelsSetTheLoggersOfEachEtcdPackage() throws Exception {
    Path file = tmp.resolve("packages.log");
    // "*" first whatever its place, then the packages: etcdserver and rafthttp override it
    LogSetup.apply(new LoggingConfig("capnslog", "info", List.of(file.toString()), false, "etcdserver=DEBUG,*=WARNING,rafthttp=E"));
    LoggerFactory.getLogger("io.vetcd.server.ServerCore").debug("server debug");
    LoggerFactory.getLogger("etcdserver").debug("etcdserver debug");
    LoggerFactory.getLogger("io.vetcd.transport.PeerSender").warn("transport warn");
    LoggerFactory.getLogger("io.vetcd.transport.PeerSender").error("transport error");
    LoggerFactory.getLogger("io.vetcd.wal.Wal").info("wal info");
    LoggerFactory.getLogger("io.vetcd.wal.Wal").warn("wal warn");
    LoggerFactory.getLogger("io.vetcd.somethingelse.X").info("unmapped info"); // the root's level, --log-level
    List<String> msgs = Files.readAllLines(file).stream().map(l -> l.substring(l.indexOf(" | ") + 3)).toList();
    assertEquals(List.of("server: server debug", "etcdserver: etcdserver debug", "transport: transport error",
        "wal: wal warn", "somethingelse: unmapped info"), msgs);
  }

  @Test
  void packageLevelsAreCapnslogsOnlyAndABadSettingIsReportedAndIgnored() throws Exception {
    Path zap = tmp.resolve("zap.log");
    LogSetup.apply(new LoggingConfig("zap", "info", List.of(zap.toString()), false, "*=ERROR"));
    LoggerFactory.getLogger("io.vetcd.server.ServerCore").info("zap ignores package levels, as etcd does");
    assertEquals(1, Files.readAllLines(zap).size());

    Path bad = tmp.resolve("bad.log");
    LogSetup.apply(new LoggingConfig("capnslog", "info", List.of(bad.toString()), false, "etcdserver=BOGUS"));
    LoggerFactory.getLogger("io.vetcd.server.ServerCore").debug("still hidden");
    LoggerFactory.getLogger("io.vetcd.server.ServerCore").info("default levels");
    List<String> msgs = Files.readAllLines(bad).stream().map(l -> l.substring(l.indexOf(" | ") - 1)).toList();
    assertEquals(List.of("W | embed: couldn't parse log level string: couldn't parse log level BOGUS, continuing with default levels",
        "I | server: default levels"), msgs);
    assertThrows(IllegalArgumentException.class, () -> CapnslogPackageLevels.parse("etcdserver"));
  }
}
