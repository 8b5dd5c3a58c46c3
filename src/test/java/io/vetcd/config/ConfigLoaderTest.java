package io.vetcd.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(VertxExtension.class)
class ConfigLoaderTest {

  @TempDir
  Path tmp;

  private static EtcdConfig load(Vertx vertx, Map<String, String> env, String... args) {
    return ConfigLoader.loadSync(vertx, Arrays.asList(args), env);
  }

  private static ConfigException loadFails(Vertx vertx, Map<String, String> env, String... args) {
    return assertThrows(ConfigException.class, () -> load(vertx, env, args));
  }

  private Path write(String name, String text) throws IOException {
    Path p = tmp.resolve(name);
    Files.writeString(p, text);
    return p;
  }

  @Test
  void asyncLoadWithDefaults(Vertx vertx, VertxTestContext ctx) {
    ConfigLoader.load(vertx, List.of(), Map.of()).onComplete(ctx.succeeding(cfg -> ctx.verify(() -> {
      assertEquals("default", cfg.member().name());
      assertEquals("default.etcd", cfg.member().dataDir());
      assertEquals(List.of(URI.create("http://localhost:2379")), cfg.member().listenClientUrls());
      assertEquals(List.of(URI.create("http://localhost:2380")), cfg.member().listenPeerUrls());
      assertEquals(List.of(URI.create("http://localhost:2379")), cfg.cluster().advertiseClientUrls());
      assertEquals(Map.of("default", List.of(URI.create("http://localhost:2380"))), cfg.cluster().initialCluster());
      assertEquals("new", cfg.cluster().initialClusterState());
      assertEquals("etcd-cluster", cfg.cluster().initialClusterToken());
      assertEquals(100000, cfg.member().snapshotCount());
      assertEquals(100, cfg.member().heartbeatIntervalMs());
      assertEquals(1000, cfg.member().electionTimeoutMs());
      assertEquals(1572864, cfg.member().maxRequestBytes());
      assertEquals(128, cfg.member().maxTxnOps());
      assertEquals(4294967295L, cfg.member().maxConcurrentStreams());
      assertEquals(Duration.ofHours(2), cfg.member().grpcKeepAliveInterval());
      assertEquals(Duration.ofSeconds(20), cfg.member().grpcKeepAliveTimeout());
      assertEquals(Duration.ofSeconds(5), cfg.member().grpcKeepAliveMinTime());
      assertTrue(cfg.cluster().strictReconfigCheck());
      assertFalse(cfg.cluster().enableV2());
      assertEquals("capnslog", cfg.logging().logger());
      assertEquals("info", cfg.logging().logLevel());
      assertEquals(List.of("default"), cfg.logging().logOutputs());
      assertEquals("simple", cfg.security().authToken());
      assertEquals(10, cfg.security().bcryptCost());
      assertEquals(Runtime.getRuntime().availableProcessors(), cfg.vertx().clientInstances());
      assertFalse(cfg.isSet("name"));
      assertEquals("default", cfg.raw("name"));
      assertTrue(cfg.warnings().isEmpty(), cfg.warnings().toString());
      ctx.completeNow();
    })));
  }

  @Test
  void asyncLoadReportsUnknownFlag(Vertx vertx, VertxTestContext ctx) {
    ConfigLoader.load(vertx, List.of("--foo"), Map.of()).onComplete(ctx.failing(e -> ctx.verify(() -> {
      assertInstanceOf(UnknownFlagException.class, e);
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      int code = ConfigLoader.reportFailure(e, new PrintStream(new ByteArrayOutputStream()), new PrintStream(err));
      assertEquals(1, code);
      assertEquals("etcd: unknown flag --foo\n", err.toString(StandardCharsets.UTF_8));
      ctx.completeNow();
    })));
  }

  @Test
  void helpGoesToStdoutWithExitZero(Vertx vertx, VertxTestContext ctx) {
    ConfigLoader.load(vertx, List.of("--help"), Map.of()).onComplete(ctx.failing(e -> ctx.verify(() -> {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      assertEquals(0, ConfigLoader.reportFailure(e, new PrintStream(out), new PrintStream(new ByteArrayOutputStream())));
      assertTrue(out.toString(StandardCharsets.UTF_8).startsWith("Usage:"));
      ctx.completeNow();
    })));
  }

  /** Every flag (and value shape) that etcd 3.4's e2e suite passes must be accepted. */
  @Test
  void acceptsEveryE2eFlag(Vertx vertx) throws IOException {
    Path sample = write("etcd.conf.yml.sample", E2E_SAMPLE);
    String suites = "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,"
        + "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,"
        + "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305,TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305";
    EtcdConfig cfg = load(vertx, Map.of(),
        "--name", "testname0", "--data-dir", tmp.resolve("testname0.etcd").toString(),
        "--listen-client-urls", "https://localhost:20000", "--advertise-client-urls", "https://localhost:20000",
        "--listen-peer-urls", "https://localhost:20001", "--initial-advertise-peer-urls", "https://localhost:20001",
        "--initial-cluster", "testname0=https://localhost:20001,testname1=https://localhost:20006",
        "--initial-cluster-token", "new", "--initial-cluster-state", "existing", "--snapshot-count", "3",
        "--experimental-initial-corrupt-check", "--enable-v2", "--peer-auto-tls", "--auto-tls",
        "--cert-file", "../../integration/fixtures/server.crt",
        "--key-file", "../../integration/fixtures/server.key.insecure",
        "--trusted-ca-file", "../../integration/fixtures/ca.crt",
        "--peer-cert-file", "../../integration/fixtures/server.crt",
        "--peer-key-file", "../../integration/fixtures/server.key.insecure",
        "--peer-trusted-ca-file", "../../integration/fixtures/ca.crt",
        "--max-concurrent-streams", "3", "--client-cert-auth", "--strict-reconfig-check=false",
        "--auth-token", "jwt,pub-key=../../integration/fixtures/server.crt,priv-key=../../integration/fixtures/server.key.insecure,sign-method=RS256,ttl=1s",
        "--force-new-cluster", "--cipher-suites", suites, "--peer-client-cert-auth",
        "--client-crl-file", "../../integration/fixtures/revoke.crl", "--quota-backend-bytes", "53248",
        "--peer-cert-allowed-cn", "example.com", "--peer-cert-allowed-hostname", "localhost");
    assertEquals("testname0", cfg.member().name());
    assertEquals(List.of("testname0", "testname1"), new ArrayList<>(cfg.cluster().initialCluster().keySet()));
    assertEquals("existing", cfg.cluster().initialClusterState());
    assertEquals(3, cfg.member().snapshotCount());
    assertTrue(cfg.member().experimentalInitialCorruptCheck());
    assertTrue(cfg.cluster().enableV2());
    assertTrue(cfg.security().peerAutoTls() && cfg.security().autoTls());
    assertTrue(cfg.security().clientCertAuth() && cfg.security().peerClientCertAuth());
    assertFalse(cfg.cluster().strictReconfigCheck());
    assertTrue(cfg.member().forceNewCluster());
    assertEquals(3, cfg.member().maxConcurrentStreams());
    assertEquals("jwt", cfg.security().authTokenType());
    assertEquals("RS256", cfg.security().authTokenOptions().get("sign-method"));
    assertEquals(6, cfg.security().cipherSuites().size());
    assertEquals("TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", cfg.security().cipherSuitesJsse().get(4));
    assertEquals(53248, cfg.member().quotaBackendBytes());
    assertEquals("example.com", cfg.security().peerCertAllowedCn());
    assertEquals("localhost", cfg.security().peerCertAllowedHostname());
    assertEquals("../../integration/fixtures/revoke.crl", cfg.security().clientCrlFile());
    // enable-v2 is recognised but not built
    assertTrue(cfg.warnings().contains("flag --enable-v2 is recognised but not built in vetcd (the v2 API is not built); ignored"),
        cfg.warnings().toString());

    EtcdConfig fromFile = load(vertx, Map.of(), "--config-file", sample.toString());
    assertEquals(sample.toString(), fromFile.configFile().orElseThrow());
  }

  /** URL shapes from etcd's e2e etcd_config_test.go: unix peers, 0.0.0.0:0, several listen URLs, metrics. */
  @Test
  void acceptsE2eUrlShapes(Vertx vertx) {
    EtcdConfig unix = load(vertx, Map.of(), "--data-dir", "d", "--name", "e1", "--listen-peer-urls", "unix://etcd.unix:1",
        "--initial-advertise-peer-urls", "unix://etcd.unix:1", "--initial-cluster", "e1=unix://etcd.unix:1");
    assertEquals(List.of(URI.create("unix://etcd.unix:1")), unix.member().listenPeerUrls());
    EtcdConfig multi = load(vertx, Map.of(), "--name", "e0", "--listen-client-urls", "http://0.0.0.0:0",
        "--advertise-client-urls", "http://0.0.0.0:0",
        "--listen-peer-urls", "http://127.0.0.1:20000,http://127.0.0.1:20003",
        "--initial-advertise-peer-urls", "http://127.0.0.1:20000",
        "--initial-cluster", "e0=http://127.0.0.1:20000,e1=http://127.0.0.1:20001",
        "--listen-metrics-urls", "http://localhost:20003");
    assertEquals(2, multi.member().listenPeerUrls().size());
    assertEquals(List.of(URI.create("http://localhost:20003")), multi.member().listenMetricsUrls());
  }

  /** Found by ConfigFuzzTest: valid YAML that is not a mapping leaked a ClassCastException's text. */
  @Test
  void aYamlFileThatIsNotAMappingFailsWithEtcdsWords(Vertx vertx) throws IOException {
    Path scalar = write("scalar.yml", "just a string\n");
    assertEquals("cannot load config file " + scalar + ": error unmarshaling JSON: while decoding JSON: json: cannot unmarshal"
        + " string into Go value of type embed.configYAML", loadFails(vertx, Map.of(), "--config-file", scalar.toString()).getMessage());
    Path list = write("list.yml", "- a\n- b\n");
    assertEquals("cannot load config file " + list + ": error unmarshaling JSON: while decoding JSON: json: cannot unmarshal"
        + " array into Go value of type embed.configYAML", loadFails(vertx, Map.of(), "--config-file", list.toString()).getMessage());
  }

  @Test
  void e2eSampleYamlLoads(Vertx vertx) throws IOException {
    Path sample = write("etcd.conf.yml.sample", E2E_SAMPLE);
    EtcdConfig cfg = load(vertx, Map.of(), "--config-file", sample.toString());
    assertEquals("default", cfg.member().name());
    assertEquals("default.etcd", cfg.member().dataDir());
    assertEquals(10000, cfg.member().snapshotCount());
    assertEquals(Map.of("default", List.of(URI.create("http://localhost:2380"))), cfg.cluster().initialCluster());
    assertFalse(cfg.cluster().strictReconfigCheck());
    assertTrue(cfg.cluster().enableV2());
    assertEquals("zap", cfg.logging().logger());
    assertEquals(List.of("stderr"), cfg.logging().logOutputs());
    assertEquals("periodic", cfg.cluster().autoCompactionMode());
    assertEquals(Duration.ofHours(1), cfg.cluster().autoCompactionRetentionPeriod());
    assertFalse(cfg.security().autoTls());
    assertTrue(cfg.warnings().contains("flag --enable-pprof is recognised but not built in vetcd (Go's pprof has no JVM equivalent here; use JFR); ignored"));
  }

  /** The very file the e2e harness copies next to its work dir, when this machine has it. */
  @Test
  void sharedE2eSampleLoadsWhenPresent(Vertx vertx) {
    Path shared = Path.of("/work/shared/e2e/etcd.conf.yml.sample");
    org.junit.jupiter.api.Assumptions.assumeTrue(Files.isRegularFile(shared));
    EtcdConfig cfg = load(vertx, Map.of(), "--config-file", shared.toString());
    assertEquals("default", cfg.member().name());
    assertEquals(List.of(URI.create("http://localhost:2379")), cfg.member().listenClientUrls());
  }

  @Test
  void configFileIgnoresFlagsAndEnv(Vertx vertx) throws IOException {
    Path yml = write("c.yml", "name: fromyaml\nclient-transport-security:\n  cert-file: /c.pem\n  key-file: /k.pem\n"
        + "peer-transport-security:\n  auto-tls: true\n  bogus: 1\n  allowed-cn: peer.example\nlog-outputs: [stderr]\n"
        + "grpc-keepalive-timeout: 3000000000\nlisten-client-urls: http://localhost:1\n");
    EtcdConfig cfg = load(vertx, Map.of("ETCD_NAME", "fromenv"), "--config-file", yml.toString(), "--name", "fromflag");
    assertEquals("fromyaml", cfg.member().name());
    assertEquals("/c.pem", cfg.security().certFile());
    assertEquals("/k.pem", cfg.security().keyFile());
    assertTrue(cfg.security().peerAutoTls());
    assertEquals("peer.example", cfg.security().peerCertAllowedCn());
    assertEquals(Duration.ofSeconds(3), cfg.member().grpcKeepAliveTimeout());
    // etcd keeps the default advertise URL in config-file mode instead of failing
    assertEquals(List.of(URI.create("http://localhost:2379")), cfg.cluster().advertiseClientUrls());
    assertTrue(cfg.warnings().stream().anyMatch(w -> w.contains("ignoring name, ETCD_NAME")), cfg.warnings().toString());
    assertTrue(cfg.warnings().contains("unknown key \"peer-transport-security.bogus\" in config file; ignored"),
        cfg.warnings().toString());

    EtcdConfig viaEnv = load(vertx, Map.of("ETCD_CONFIG_FILE", yml.toString(), "ETCD_NAME", "fromenv"));
    assertEquals("fromyaml", viaEnv.member().name());
  }

  @Test
  void precedenceWithJsonFile(Vertx vertx) throws IOException {
    Path json = write("etcd.json", "{\"member\":{\"name\":\"file\",\"snapshot-count\":7,\"heartbeat-interval\":50},"
        + "\"cluster\":{\"enable-v2\":false},\"vertx\":{\"client-instances\":3}}");
    assertPrecedence(vertx, json);
    EtcdConfig cfg = load(vertx, Map.of(), "-conf", json.toString());
    assertEquals(7, cfg.member().snapshotCount());
    assertEquals(50, cfg.member().heartbeatIntervalMs());
    assertEquals(3, cfg.vertx().clientInstances());
    EtcdConfig overridden = load(vertx, Map.of("ETCD_VERTX_CLIENT_INSTANCES", "5"), "-conf", json.toString(),
        "--vertx-peer-instances", "6");
    assertEquals(5, overridden.vertx().clientInstances());
    assertEquals(6, overridden.vertx().peerInstances());
  }

  @Test
  void precedenceWithSectionedEtcdConf(Vertx vertx) throws IOException {
    Path conf = write("etcd.conf", "#[Member]\nETCD_NAME=\"file\"\n# a comment\nETCD_SNAPSHOT_COUNT=7\n");
    assertPrecedence(vertx, conf);
    // content sniffing: no extension
    Path noExt = write("etcdconf", "#[Member]\nETCD_NAME='file'\n");
    assertPrecedence(vertx, noExt);
  }

  @Test
  void precedenceWithYamlConf(Vertx vertx) throws IOException {
    Path yml = write("etcd.yaml", "name: file\n");
    assertPrecedence(vertx, yml);
  }

  private static void assertPrecedence(Vertx vertx, Path file) {
    String f = file.toString();
    assertEquals("file", load(vertx, Map.of(), "-conf", f).member().name());
    assertEquals("env", load(vertx, Map.of("ETCD_NAME", "env"), "-conf", f).member().name());
    assertEquals("flag", load(vertx, Map.of("ETCD_NAME", "env"), "-conf", f, "--name", "flag").member().name());
    assertEquals("flag", load(vertx, Map.of(), "--name=flag", "-conf=" + f).member().name());
    assertEquals("flag.etcd", load(vertx, Map.of(), "--name=flag", "-conf=" + f).member().dataDir());
  }

  @Test
  void nameDerivesInitialClusterAndDataDir(Vertx vertx) {
    EtcdConfig cfg = load(vertx, Map.of(), "--name", "infra1", "--initial-advertise-peer-urls",
        "http://127.0.0.1:12380,http://127.0.0.1:12381");
    assertEquals("infra1.etcd", cfg.member().dataDir());
    assertEquals(Map.of("infra1", List.of(URI.create("http://127.0.0.1:12380"), URI.create("http://127.0.0.1:12381"))),
        cfg.cluster().initialCluster());
    assertEquals("infra1=http://127.0.0.1:12380,infra1=http://127.0.0.1:12381", cfg.raw("initial-cluster"));
  }

  @Test
  void envVarsAreReadAndUnknownOnesWarn(Vertx vertx) {
    EtcdConfig cfg = load(vertx, Map.of("ETCD_ENABLE_V2", "true", "ETCD_ELECTION_TIMEOUT", "2000", "ETCD_BOGUS", "1",
        "ETCD_WAL_DIR", "", "PATH", "/bin"));
    assertTrue(cfg.cluster().enableV2());
    assertEquals(2000, cfg.member().electionTimeoutMs());
    assertFalse(cfg.isSet("wal-dir"));
    assertTrue(cfg.warnings().contains("unrecognized environment variable ETCD_BOGUS=1"));
  }

  @Test
  void flagShadowsEnvWithAWarning(Vertx vertx) {
    EtcdConfig cfg = load(vertx, Map.of("ETCD_NAME", "env", "ETCD_SNAPSHOT_COUNT", "abc"), "--name", "flag",
        "--snapshot-count", "9");
    assertEquals("flag", cfg.member().name());
    assertEquals(9, cfg.member().snapshotCount());
    assertTrue(cfg.warnings().contains("environment variable ETCD_NAME is shadowed by command-line flag --name"));
  }

  @Test
  void toJsonShowsEffectiveValuesBySection(Vertx vertx) {
    EtcdConfig cfg = load(vertx, Map.of(), "--name", "n1", "--vertx-worker-pool-size", "7");
    assertEquals("n1", cfg.toJson().getJsonObject("member").getString("name"));
    assertEquals("n1.etcd", cfg.toJson().getJsonObject("member").getString("data-dir"));
    assertEquals("n1=http://localhost:2380", cfg.toJson().getJsonObject("cluster").getString("initial-cluster"));
    assertEquals("7", cfg.toJson().getJsonObject("vertx").getString("worker-pool-size"));
    assertEquals(List.of("member", "cluster", "proxy", "security", "logging", "vertx"), List.copyOf(cfg.toJson().fieldNames()));
  }

  @Test
  void badValuesGiveOneLineMessages(Vertx vertx) {
    assertEquals("--election-timeout[400ms] should be at least as 5 times as --heartbeat-interval[100ms]",
        loadFails(vertx, Map.of(), "--election-timeout", "400").getMessage());
    assertEquals("invalid value \"maybe\" for --initial-cluster-state: valid values are new, existing",
        loadFails(vertx, Map.of(), "--initial-cluster-state", "maybe").getMessage());
    assertEquals("invalid value \"loud\" for --log-level: valid values are debug, info, warn, error, panic, fatal",
        loadFails(vertx, Map.of(), "--log-level", "loud").getMessage());
    assertEquals("invalid value \"log4j\" for --logger: valid values are zap, capnslog",
        loadFails(vertx, Map.of(), "--logger=log4j").getMessage());
    assertEquals("invalid value \"abc\" for --snapshot-count: must be a non-negative integer",
        loadFails(vertx, Map.of(), "--snapshot-count", "abc").getMessage());
    assertEquals("invalid value \"abc\" for ETCD_SNAPSHOT_COUNT: must be a non-negative integer",
        loadFails(vertx, Map.of("ETCD_SNAPSHOT_COUNT", "abc")).getMessage());
    assertEquals("invalid value \"ftp://localhost:1\" for --listen-client-urls: URL scheme must be http, https, unix, or unixs: ftp://localhost:1",
        loadFails(vertx, Map.of(), "--listen-client-urls", "ftp://localhost:1", "--advertise-client-urls", "http://a:1").getMessage());
    assertEquals("invalid value \"http://example.com:1\" for --listen-peer-urls: expected IP in URL for binding (http://example.com:1)",
        loadFails(vertx, Map.of(), "--listen-peer-urls", "http://example.com:1").getMessage());
    assertEquals("--advertise-client-urls is required when --listen-client-urls is set explicitly",
        loadFails(vertx, Map.of(), "--listen-client-urls", "http://127.0.0.1:1").getMessage());
    assertEquals("invalid value \"5x\" for --grpc-keepalive-timeout: must be a duration such as 300ms, 5s, 2h45m",
        loadFails(vertx, Map.of(), "--grpc-keepalive-timeout", "5x").getMessage());
    assertEquals("invalid value \"bogus\" for --auth-token: token type must be simple or jwt",
        loadFails(vertx, Map.of(), "--auth-token", "bogus").getMessage());
    assertTrue(loadFails(vertx, Map.of(), "--name", "a", "--initial-cluster", "b=http://localhost:2380").getMessage()
        .startsWith("couldn't find local name \"a\" in the initial cluster configuration"));
    assertTrue(loadFails(vertx, Map.of(), "--cipher-suites", "TLS_NOPE").getMessage()
        .contains("unexpected TLS cipher suite \"TLS_NOPE\""));
    for (ConfigException e : List.of(loadFails(vertx, Map.of(), "--heartbeat-interval", "0"),
        loadFails(vertx, Map.of(), "--discovery", "https://d.example/x", "--initial-cluster", "default=http://localhost:2380"))) {
      assertFalse(e.getMessage().contains("\n"));
    }
  }

  @Test
  void jsonFileRejectsUnknownKeysAndWrongSections(Vertx vertx) throws IOException {
    Path unknown = write("u.json", "{\"member\":{\"nmae\":\"x\"}}");
    assertEquals("unknown config key \"member.nmae\"", loadFails(vertx, Map.of(), "-conf", unknown.toString()).getMessage());
    Path wrong = write("w.json", "{\"cluster\":{\"name\":\"x\"}}");
    assertEquals("config key \"cluster.name\" belongs in section \"member\"",
        loadFails(vertx, Map.of(), "-conf", wrong.toString()).getMessage());
    Path section = write("s.json", "{\"members\":{}}");
    assertTrue(loadFails(vertx, Map.of(), "-conf", section.toString()).getMessage().startsWith("unknown config section \"members\""));
    ConfigException missing = loadFails(vertx, Map.of(), "-conf", tmp.resolve("nope.json").toString());
    assertTrue(missing.getMessage().startsWith("cannot load config file"), missing.getMessage());
  }

  @Test
  void shippedConfFilesAgree(Vertx vertx) {
    for (String args : List.of("-conf conf/etcd.json", "-conf conf/etcd.conf", "--config-file conf/etcd.yml")) {
      EtcdConfig cfg = load(vertx, Map.of(), args.split(" "));
      assertEquals("default", cfg.member().name(), args);
      assertEquals("default.etcd", cfg.member().dataDir(), args);
      assertEquals(List.of(URI.create("http://127.0.0.1:2379")), cfg.member().listenClientUrls(), args);
      assertEquals(List.of(URI.create("http://127.0.0.1:2379")), cfg.cluster().advertiseClientUrls(), args);
      assertEquals(List.of(URI.create("http://127.0.0.1:2380")), cfg.member().listenPeerUrls(), args);
      assertEquals(List.of(URI.create("http://127.0.0.1:2380")), cfg.cluster().initialAdvertisePeerUrls(), args);
      assertEquals(Map.of("default", List.of(URI.create("http://127.0.0.1:2380"))), cfg.cluster().initialCluster(), args);
      assertEquals("zap", cfg.logging().logger(), args);
      assertEquals(List.of("stderr"), cfg.logging().logOutputs(), args);
      assertTrue(cfg.warnings().isEmpty(), args + " " + cfg.warnings());
    }
  }

  @Test
  void notBuiltFlagsWarnOnlyWhenChanged(Vertx vertx) {
    EtcdConfig cfg = load(vertx, Map.of(), "--proxy", "off", "--discovery-srv", "example.com",
        "--experimental-enable-v2v3", "/v2");
    assertEquals(List.of("flag --experimental-enable-v2v3 is recognised but not built in vetcd (the v2 API is not built); ignored"),
        FeatureSupport.warnings(cfg));
    // discovery clears the default initial cluster, as in etcd
    assertTrue(cfg.cluster().initialCluster().isEmpty());
  }

  @Test
  void rawAndIsSet(Vertx vertx) {
    EtcdConfig cfg = load(vertx, Map.of(), "--log-outputs", "stdout,/tmp/x.log", "--debug");
    assertTrue(cfg.isSet("log-outputs"));
    assertEquals("stdout,/tmp/x.log", cfg.raw("log-outputs"));
    assertEquals(List.of("stdout", "/tmp/x.log"), cfg.logging().logOutputs());
    assertEquals("debug", cfg.logging().effectiveLogLevel());
    assertThrows(IllegalArgumentException.class, () -> cfg.raw("no-such-flag"));
  }

  @Test
  void flagTableCoversEtcdHelp() {
    // every flag etcd 3.4.23 prints in --help
    for (String flag : List.of("name", "data-dir", "wal-dir", "snapshot-count", "heartbeat-interval", "election-timeout",
        "initial-election-tick-advance", "listen-peer-urls", "listen-client-urls", "max-snapshots", "max-wals",
        "quota-backend-bytes", "backend-batch-interval", "backend-batch-limit", "max-txn-ops", "max-request-bytes",
        "max-concurrent-streams", "grpc-keepalive-min-time", "grpc-keepalive-interval", "grpc-keepalive-timeout",
        "initial-advertise-peer-urls", "initial-cluster", "initial-cluster-state", "initial-cluster-token",
        "advertise-client-urls", "discovery", "discovery-fallback", "discovery-proxy", "discovery-srv",
        "discovery-srv-name", "strict-reconfig-check", "pre-vote", "auto-compaction-retention", "auto-compaction-mode",
        "enable-v2", "cert-file", "key-file", "client-cert-auth", "client-crl-file", "client-cert-allowed-hostname",
        "trusted-ca-file", "auto-tls", "peer-cert-file", "peer-key-file", "peer-client-cert-auth",
        "peer-trusted-ca-file", "peer-cert-allowed-cn", "peer-cert-allowed-hostname", "peer-auto-tls", "peer-crl-file",
        "cipher-suites", "cors", "host-whitelist", "auth-token", "bcrypt-cost", "auth-token-ttl", "enable-pprof",
        "metrics", "listen-metrics-urls", "logger", "log-outputs", "log-level", "proxy", "proxy-failure-wait",
        "proxy-refresh-interval", "proxy-dial-timeout", "proxy-write-timeout", "proxy-read-timeout",
        "experimental-initial-corrupt-check", "experimental-corrupt-check-time", "experimental-enable-v2v3",
        "experimental-backend-bbolt-freelist-type", "experimental-enable-lease-checkpoint",
        "experimental-compaction-batch-limit", "experimental-peer-skip-client-san-verification",
        "experimental-watch-progress-notify-interval", "experimental-warning-apply-duration", "force-new-cluster",
        "debug", "log-package-levels")) {
      FlagSpec spec = FlagTable.byName(flag);
      assertTrue(spec != null && spec.section() != null && spec.helpGroup() != null, flag);
    }
    assertEquals("ETCD_INITIAL_CLUSTER_TOKEN", FlagTable.byName("initial-cluster-token").envName());
    assertEquals("client-instances", FlagTable.byName("vertx-client-instances").jsonKey());
  }

  /** Same content as etcd e2e's etcd.conf.yml.sample stand-in (/work/shared/e2e). */
  static final String E2E_SAMPLE = String.join("\n",
      "name: 'default'", "data-dir:", "wal-dir:", "snapshot-count: 10000", "heartbeat-interval: 100",
      "election-timeout: 1000", "quota-backend-bytes: 0", "listen-peer-urls: http://localhost:2380",
      "listen-client-urls: http://localhost:2379", "max-snapshots: 5", "max-wals: 5",
      "initial-advertise-peer-urls: http://localhost:2380", "advertise-client-urls: http://localhost:2379",
      "initial-cluster:", "initial-cluster-token: 'etcd-cluster'", "initial-cluster-state: 'new'",
      "strict-reconfig-check: false", "enable-v2: true", "enable-pprof: true", "proxy: 'off'",
      "client-transport-security:", "  cert-file:", "  key-file:", "  client-cert-auth: false", "  trusted-ca-file:",
      "  auto-tls: false", "peer-transport-security:", "  cert-file:", "  key-file:", "  client-cert-auth: false",
      "  trusted-ca-file:", "  auto-tls: false", "debug: false", "logger: zap", "log-outputs: [stderr]",
      "force-new-cluster: false", "auto-compaction-mode: periodic", "auto-compaction-retention: \"1\"", "");
}
