package io.vetcd.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class CommandLineParserTest {

  @Test
  void acceptsAllFourGoSyntaxes() {
    CommandLine cmd = CommandLineParser.parse(List.of("--name", "a", "-data-dir", "d", "--wal-dir=w", "-snapshot-count=3"));
    assertEquals("a", cmd.flags().get("name"));
    assertEquals("d", cmd.flags().get("data-dir"));
    assertEquals("w", cmd.flags().get("wal-dir"));
    assertEquals("3", cmd.flags().get("snapshot-count"));
  }

  @Test
  void bareBooleanNeverConsumesNextArgument() {
    CommandLine cmd = CommandLineParser.parse(List.of("--enable-v2", "--name", "x", "--strict-reconfig-check=false"));
    assertEquals("true", cmd.flags().get("enable-v2"));
    assertEquals("x", cmd.flags().get("name"));
    assertEquals("false", cmd.flags().get("strict-reconfig-check"));
  }

  @Test
  void bareBooleanFollowedByValueIsAStrayArgument() {
    ConfigException e = assertThrows(ConfigException.class, () -> CommandLineParser.parse(List.of("--enable-v2", "false")));
    assertEquals("'false' is not a valid flag", e.getMessage());
  }

  @Test
  void unknownFlagNamesIt() {
    UnknownFlagException e = assertThrows(UnknownFlagException.class, () -> CommandLineParser.parse(List.of("--foo", "1")));
    assertEquals("etcd: unknown flag --foo", e.getMessage());
    assertEquals("foo", e.flag());
  }

  @Test
  void missingValueIsAnError() {
    ConfigException e = assertThrows(ConfigException.class, () -> CommandLineParser.parse(List.of("--name")));
    assertEquals("etcd: flag needs an argument: --name", e.getMessage());
  }

  @Test
  void badBoolIsAnError() {
    ConfigException e = assertThrows(ConfigException.class, () -> CommandLineParser.parse(List.of("--enable-v2=maybe")));
    assertTrue(e.getMessage().contains("--enable-v2") && e.getMessage().contains("maybe"), e.getMessage());
  }

  @Test
  void helpPrintsUsage() {
    for (String flag : List.of("-h", "--help", "-help")) {
      EarlyExit exit = assertThrows(EarlyExit.class, () -> CommandLineParser.parse(List.of(flag)));
      assertEquals(0, exit.exitCode());
      assertTrue(exit.stdout().startsWith("Usage:"));
      assertTrue(exit.stdout().contains("  --listen-client-urls 'http://localhost:2379'"));
      assertTrue(exit.stdout().contains("  --max-concurrent-streams 'math.MaxUint32'"));
      assertTrue(exit.stdout().contains("  --data-dir '${name}.etcd'"));
      assertTrue(exit.stdout().contains("  --vertx-client-instances '"));
    }
  }

  @Test
  void versionPrintsFourLines() {
    EarlyExit exit = assertThrows(EarlyExit.class, () -> CommandLineParser.parse(List.of("--version")));
    String[] lines = exit.stdout().split("\n");
    assertEquals(4, lines.length);
    assertEquals("etcd Version: 3.4.23", lines[0]);
    assertEquals("Git SHA: vetcd", lines[1]);
    assertTrue(lines[2].startsWith("Go Version: "));
    assertTrue(lines[3].startsWith("Go OS/Arch: "));
  }

  @Test
  void subcommandsAreRecognisedButUnsupported() {
    UnsupportedSubcommandException g = assertThrows(UnsupportedSubcommandException.class,
        () -> CommandLineParser.parse(List.of("gateway", "--endpoints", "http://localhost:20000")));
    assertEquals("gateway", g.subcommand());
    UnsupportedSubcommandException p = assertThrows(UnsupportedSubcommandException.class,
        () -> CommandLineParser.parse(List.of("grpc-proxy", "start")));
    assertEquals("grpc-proxy", p.subcommand());
  }

  @Test
  void confAndConfigFileAreMetaFlags() {
    CommandLine cmd = CommandLineParser.parse(List.of("-conf", "a.json", "--config-file=b.yml"));
    assertEquals("a.json", cmd.conf().orElseThrow());
    assertEquals("b.yml", cmd.configFile().orElseThrow());
    assertFalse(cmd.flags().containsKey("conf"));
  }

  @Test
  void legacyFlagsAreIgnoredWithAWarning() {
    CommandLine cmd = CommandLineParser.parse(List.of("-v", "--snapshot=whatever", "--name", "x"));
    assertEquals(2, cmd.warnings().size());
    assertEquals("x", cmd.flags().get("name"));
  }

  @Test
  void doubleDashEndsFlags() {
    ConfigException e = assertThrows(ConfigException.class, () -> CommandLineParser.parse(List.of("--", "--name")));
    assertEquals("'--name' is not a valid flag", e.getMessage());
  }
}
