package io.vetcd.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every flag of {@code etcd --help} (etcd 3.4.23) plus a few hidden ones etcd also accepts, and
 * vetcd's Vert.x knobs. Names, types and defaults follow etcd; the table order is the
 * {@code --help} order.
 */
public final class FlagTable {

  /** Flags handled by the command-line parser itself rather than stored in a section. */
  public static final String CONFIG_FILE = "config-file";
  public static final String CONF = "conf";
  public static final String VERSION = "version";

  private static final String G_MEMBER = "Member";
  private static final String G_CLUSTER = "Clustering";
  private static final String G_SECURITY = "Security";
  private static final String G_AUTH = "Auth";
  private static final String G_PROFILING = "Profiling and Monitoring";
  private static final String G_LOGGING = "Logging";
  private static final String G_PROXY = "v2 Proxy (to be deprecated in v4)";
  private static final String G_EXPERIMENTAL = "Experimental feature";
  private static final String G_UNSAFE = "Unsafe feature";
  private static final String G_DEPRECATED = "TO BE DEPRECATED";
  private static final String G_VERTX = "vetcd (Vert.x)";

  /** Groups in the order {@code --help} prints them. */
  public static final List<String> HELP_GROUPS = List.of(G_MEMBER, G_CLUSTER, G_SECURITY, G_AUTH,
      G_PROFILING, G_LOGGING, G_PROXY, G_EXPERIMENTAL, G_UNSAFE, G_DEPRECATED, G_VERTX);

  /** Legacy etcd 2 flags etcd 3.4 still accepts and ignores. */
  private static final List<String> IGNORED = List.of("cluster-active-size", "cluster-remove-delay",
      "cluster-sync-interval", "config", "force", "max-result-buffer", "max-retry-attempts",
      "peer-heartbeat-interval", "peer-election-timeout", "retry-interval", "snapshot", "v", "vv",
      "test.coverprofile", "test.outputdir");

  private static final Map<String, FlagSpec> BY_NAME;
  private static final Map<String, FlagSpec> BY_ENV;

  static {
    List<FlagSpec> f = new ArrayList<>();
    Section m = Section.MEMBER;
    Section c = Section.CLUSTER;
    Section s = Section.SECURITY;
    Section l = Section.LOGGING;
    Section p = Section.PROXY;

    f.add(spec("name", FlagType.STRING, "default", m, G_MEMBER, "Human-readable name for this member."));
    f.add(spec("data-dir", FlagType.STRING, null, m, G_MEMBER, "${name}.etcd", "Path to the data directory."));
    f.add(spec("wal-dir", FlagType.STRING, "", m, G_MEMBER, "Path to the dedicated wal directory."));
    f.add(spec("snapshot-count", FlagType.UINT, "100000", m, G_MEMBER, "Number of committed transactions to trigger a snapshot to disk."));
    // etcd 3.5's flag: how many entries a compaction keeps for slow followers
    f.add(spec("experimental-snapshot-catchup-entries", FlagType.UINT, "5000", m, G_MEMBER, "Number of entries for a slow follower to catch up after compacting the raft storage entries."));
    f.add(spec("heartbeat-interval", FlagType.UINT, "100", m, G_MEMBER, "Time (in milliseconds) of a heartbeat interval."));
    f.add(spec("election-timeout", FlagType.UINT, "1000", m, G_MEMBER, "Time (in milliseconds) for an election to timeout. See tuning documentation for details."));
    f.add(spec("initial-election-tick-advance", FlagType.BOOL, "true", m, G_MEMBER, "Whether to fast-forward initial election ticks on boot for faster election."));
    f.add(spec("listen-peer-urls", FlagType.URLS, "http://localhost:2380", m, G_MEMBER, "List of URLs to listen on for peer traffic."));
    f.add(spec("listen-client-urls", FlagType.URLS, "http://localhost:2379", m, G_MEMBER, "List of URLs to listen on for client traffic."));
    f.add(spec("max-snapshots", FlagType.UINT, "5", m, G_MEMBER, "Maximum number of snapshot files to retain (0 is unlimited)."));
    f.add(spec("max-wals", FlagType.UINT, "5", m, G_MEMBER, "Maximum number of wal files to retain (0 is unlimited)."));
    f.add(spec("quota-backend-bytes", FlagType.INT, "0", m, G_MEMBER, "Raise alarms when backend size exceeds the given quota (0 defaults to low space quota)."));
    f.add(spec("backend-batch-interval", FlagType.DURATION, "0s", m, G_MEMBER, "", "BackendBatchInterval is the maximum time before commit the backend transaction."));
    f.add(spec("backend-batch-limit", FlagType.INT, "0", m, G_MEMBER, "BackendBatchLimit is the maximum operations before commit the backend transaction."));
    f.add(spec("max-txn-ops", FlagType.UINT, "128", m, G_MEMBER, "Maximum number of operations permitted in a transaction."));
    f.add(spec("max-request-bytes", FlagType.UINT, "1572864", m, G_MEMBER, "Maximum client request size in bytes the server will accept."));
    f.add(spec("max-concurrent-streams", FlagType.UINT32, "4294967295", m, G_MEMBER, "math.MaxUint32", "Maximum concurrent streams that each client can open at a time."));
    f.add(spec("grpc-keepalive-min-time", FlagType.DURATION, "5s", m, G_MEMBER, "Minimum duration interval that a client should wait before pinging server."));
    f.add(spec("grpc-keepalive-interval", FlagType.DURATION, "2h", m, G_MEMBER, "Frequency duration of server-to-client ping to check if a connection is alive (0 to disable)."));
    f.add(spec("grpc-keepalive-timeout", FlagType.DURATION, "20s", m, G_MEMBER, "Additional duration of wait before closing a non-responsive connection (0 to disable)."));

    f.add(spec("initial-advertise-peer-urls", FlagType.URLS, "http://localhost:2380", c, G_CLUSTER, "List of this member's peer URLs to advertise to the rest of the cluster."));
    f.add(spec("initial-cluster", FlagType.STRING, null, c, G_CLUSTER, "default=http://localhost:2380", "Initial cluster configuration for bootstrapping."));
    f.add(choice("initial-cluster-state", "new", c, G_CLUSTER, "Initial cluster state ('new' or 'existing').", "new", "existing"));
    f.add(spec("initial-cluster-token", FlagType.STRING, "etcd-cluster", c, G_CLUSTER, "Initial cluster token for the etcd cluster during bootstrap."));
    f.add(spec("advertise-client-urls", FlagType.URLS, "http://localhost:2379", c, G_CLUSTER, "List of this member's client URLs to advertise to the public."));
    f.add(spec("discovery", FlagType.STRING, "", c, G_CLUSTER, "Discovery URL used to bootstrap the cluster."));
    f.add(choice("discovery-fallback", "proxy", c, G_CLUSTER, "Expected behavior ('exit' or 'proxy') when discovery services fails.", "exit", "proxy"));
    f.add(spec("discovery-proxy", FlagType.STRING, "", c, G_CLUSTER, "HTTP proxy to use for traffic to discovery service."));
    f.add(spec("discovery-srv", FlagType.STRING, "", c, G_CLUSTER, "DNS srv domain used to bootstrap the cluster."));
    f.add(spec("discovery-srv-name", FlagType.STRING, "", c, G_CLUSTER, "Suffix to the dns srv name queried when bootstrapping."));
    // etcd 3.6's v3 discovery (not in etcd 3.4): a token's registry on any v3 cluster
    f.add(spec("discovery-token", FlagType.STRING, "", c, G_CLUSTER, "V3 discovery: discovery token for the etcd cluster to be bootstrapped."));
    f.add(spec("discovery-endpoints", FlagType.STRINGS, "", c, G_CLUSTER, "V3 discovery: List of gRPC endpoints of the discovery service."));
    f.add(spec("discovery-dial-timeout", FlagType.DURATION, "2s", c, G_CLUSTER, "V3 discovery: dial timeout for client connections."));
    f.add(spec("discovery-request-timeout", FlagType.DURATION, "5s", c, G_CLUSTER, "V3 discovery: timeout for discovery requests (excluding dial timeout)."));
    f.add(spec("discovery-keepalive-time", FlagType.DURATION, "2s", c, G_CLUSTER, "V3 discovery: keepalive time for client connections."));
    f.add(spec("discovery-keepalive-timeout", FlagType.DURATION, "6s", c, G_CLUSTER, "V3 discovery: keepalive timeout for client connections."));
    f.add(spec("discovery-insecure-transport", FlagType.BOOL, "true", c, G_CLUSTER, "V3 discovery: disable transport security for client connections."));
    f.add(spec("discovery-insecure-skip-tls-verify", FlagType.BOOL, "false", c, G_CLUSTER, "V3 discovery: skip server certificate verification (CAUTION: this option should be enabled only for testing purposes)."));
    f.add(spec("discovery-cert", FlagType.STRING, "", c, G_CLUSTER, "V3 discovery: identify secure client using this TLS certificate file."));
    f.add(spec("discovery-key", FlagType.STRING, "", c, G_CLUSTER, "V3 discovery: identify secure client using this TLS key file."));
    f.add(spec("discovery-cacert", FlagType.STRING, "", c, G_CLUSTER, "V3 discovery: verify certificates of TLS-enabled secure servers using this CA bundle."));
    f.add(spec("discovery-user", FlagType.STRING, "", c, G_CLUSTER, "V3 discovery: username[:password] for authentication (prompt if password is not supplied)."));
    f.add(spec("discovery-password", FlagType.STRING, "", c, G_CLUSTER, "V3 discovery: password for authentication (if this option is used, --user option shouldn't include password)."));
    f.add(spec("strict-reconfig-check", FlagType.BOOL, "true", c, G_CLUSTER, "Reject reconfiguration requests that would cause quorum loss."));
    f.add(spec("pre-vote", FlagType.BOOL, "false", c, G_CLUSTER, "Enable to run an additional Raft election phase."));
    f.add(spec("auto-compaction-retention", FlagType.STRING, "0", c, G_CLUSTER, "Auto compaction retention length. 0 means disable auto compaction."));
    f.add(choice("auto-compaction-mode", "periodic", c, G_CLUSTER, "Interpret 'auto-compaction-retention' one of: periodic|revision.", "periodic", "revision"));
    f.add(spec("enable-v2", FlagType.BOOL, "false", c, G_CLUSTER, "Accept etcd V2 client requests."));

    f.add(spec("cert-file", FlagType.STRING, "", s, G_SECURITY, "Path to the client server TLS cert file."));
    f.add(spec("key-file", FlagType.STRING, "", s, G_SECURITY, "Path to the client server TLS key file."));
    f.add(spec("client-cert-auth", FlagType.BOOL, "false", s, G_SECURITY, "Enable client cert authentication."));
    f.add(spec("client-crl-file", FlagType.STRING, "", s, G_SECURITY, "Path to the client certificate revocation list file."));
    f.add(spec("client-cert-allowed-hostname", FlagType.STRING, "", s, G_SECURITY, "Allowed TLS hostname for client cert authentication."));
    f.add(spec("trusted-ca-file", FlagType.STRING, "", s, G_SECURITY, "Path to the client server TLS trusted CA cert file."));
    f.add(spec("auto-tls", FlagType.BOOL, "false", s, G_SECURITY, "Client TLS using generated certificates."));
    f.add(spec("peer-cert-file", FlagType.STRING, "", s, G_SECURITY, "Path to the peer server TLS cert file."));
    f.add(spec("peer-key-file", FlagType.STRING, "", s, G_SECURITY, "Path to the peer server TLS key file."));
    f.add(spec("peer-client-cert-auth", FlagType.BOOL, "false", s, G_SECURITY, "Enable peer client cert authentication."));
    f.add(spec("peer-trusted-ca-file", FlagType.STRING, "", s, G_SECURITY, "Path to the peer server TLS trusted CA file."));
    f.add(spec("peer-cert-allowed-cn", FlagType.STRING, "", s, G_SECURITY, "Required CN for client certs connecting to the peer endpoint."));
    f.add(spec("peer-cert-allowed-hostname", FlagType.STRING, "", s, G_SECURITY, "Allowed TLS hostname for inter peer authentication."));
    f.add(spec("peer-auto-tls", FlagType.BOOL, "false", s, G_SECURITY, "Peer TLS using self-generated certificates if --peer-key-file and --peer-cert-file are not provided."));
    f.add(spec("peer-crl-file", FlagType.STRING, "", s, G_SECURITY, "Path to the peer certificate revocation list file."));
    f.add(spec("cipher-suites", FlagType.STRINGS, "", s, G_SECURITY, "Comma-separated list of supported TLS cipher suites between client/server and peers (empty will be auto-populated by Go)."));
    // etcd 3.4 lists cors and host-whitelist under Security in --help; operators of the RPM
    // etcd.conf find ETCD_CORS under [Member], so that is where the files keep them.
    f.add(spec("cors", FlagType.STRINGS, "*", m, G_SECURITY, "Comma-separated whitelist of origins for CORS, or cross-origin resource sharing, (empty or * means allow all)."));
    f.add(spec("host-whitelist", FlagType.STRINGS, "*", m, G_SECURITY, "Acceptable hostnames from HTTP client requests, if server is not secure (empty or * means allow all)."));
    // Not an etcd 3.4 flag (it arrived in 3.5); vetcd needs it for --auto-tls certificates.
    f.add(spec("self-signed-cert-validity", FlagType.UINT, "1", s, G_SECURITY, "The validity period of the client and peer certificates generated by --auto-tls/--peer-auto-tls, in years (vetcd; etcd 3.5 flag)."));

    f.add(spec("auth-token", FlagType.STRING, "simple", s, G_AUTH, "Specify a v3 authentication token type and its options ('simple' or 'jwt')."));
    f.add(spec("bcrypt-cost", FlagType.UINT, "10", s, G_AUTH, "Specify the cost / strength of the bcrypt algorithm for hashing auth passwords. Valid values are between 4 and 31."));
    f.add(spec("auth-token-ttl", FlagType.UINT, "300", s, G_AUTH, "Time (in seconds) of the auth-token-ttl."));

    f.add(spec("enable-pprof", FlagType.BOOL, "false", m, G_PROFILING, "Enable runtime profiling data via HTTP server. Address is at client URL + \"/debug/pprof/\""));
    f.add(choice("metrics", "basic", m, G_PROFILING, "Set level of detail for exported metrics, specify 'extensive' to include histogram metrics.", "basic", "extensive"));
    f.add(spec("listen-metrics-urls", FlagType.URLS, "", m, G_PROFILING, "List of URLs to listen on for the metrics and health endpoints."));

    f.add(choice("logger", "capnslog", l, G_LOGGING, "Specify 'zap' for structured logging or 'capnslog'. [WARN] 'capnslog' will be deprecated in v3.5.", "zap", "capnslog"));
    f.add(spec("log-outputs", FlagType.STRINGS, "default", l, G_LOGGING, "Specify 'stdout' or 'stderr' to skip journald logging even when running under systemd, or list of comma separated output targets."));
    f.add(choice("log-level", "info", l, G_LOGGING, "Configures log level. Only supports debug, info, warn, error, panic, or fatal.", "debug", "info", "warn", "error", "panic", "fatal"));
    f.add(spec("log-output", FlagType.STRINGS, "default", l, null, "[TO BE DEPRECATED IN v3.5] use '--log-outputs'."));

    f.add(choice("proxy", "off", p, G_PROXY, "Proxy mode setting ('off', 'readonly' or 'on').", "off", "readonly", "on"));
    f.add(spec("proxy-failure-wait", FlagType.UINT, "5000", p, G_PROXY, "Time (in milliseconds) an endpoint will be held in a failed state."));
    f.add(spec("proxy-refresh-interval", FlagType.UINT, "30000", p, G_PROXY, "Time (in milliseconds) of the endpoints refresh interval."));
    f.add(spec("proxy-dial-timeout", FlagType.UINT, "1000", p, G_PROXY, "Time (in milliseconds) for a dial to timeout."));
    f.add(spec("proxy-write-timeout", FlagType.UINT, "5000", p, G_PROXY, "Time (in milliseconds) for a write to timeout."));
    f.add(spec("proxy-read-timeout", FlagType.UINT, "0", p, G_PROXY, "Time (in milliseconds) for a read to timeout."));

    f.add(spec("experimental-initial-corrupt-check", FlagType.BOOL, "false", m, G_EXPERIMENTAL, "Enable to check data corruption before serving any client/peer traffic."));
    f.add(spec("experimental-corrupt-check-time", FlagType.DURATION, "0s", m, G_EXPERIMENTAL, "Duration of time between cluster corruption check passes."));
    f.add(spec("experimental-enable-v2v3", FlagType.STRING, "", m, G_EXPERIMENTAL, "Serve v2 requests through the v3 backend under a given prefix."));
    f.add(choice("experimental-backend-bbolt-freelist-type", "array", m, G_EXPERIMENTAL, "ExperimentalBackendFreelistType specifies the type of freelist that boltdb backend uses(array and map are supported types).", "array", "map"));
    f.add(spec("experimental-enable-lease-checkpoint", FlagType.BOOL, "false", m, G_EXPERIMENTAL, "ExperimentalEnableLeaseCheckpoint enables primary lessor to persist lease remainingTTL to prevent indefinite auto-renewal of long lived leases."));
    f.add(spec("experimental-enable-lease-checkpoint-persist", FlagType.BOOL, "false", m, null, "Enable persisting remainingTTL to prevent indefinite auto-renewal of long lived leases."));
    f.add(spec("experimental-compaction-batch-limit", FlagType.INT, "1000", m, G_EXPERIMENTAL, "ExperimentalCompactionBatchLimit sets the maximum revisions deleted in each compaction batch."));
    f.add(spec("experimental-peer-skip-client-san-verification", FlagType.BOOL, "false", s, G_EXPERIMENTAL, "Skip verification of SAN field in client certificate for peer connections."));
    f.add(spec("experimental-watch-progress-notify-interval", FlagType.DURATION, "10m", m, G_EXPERIMENTAL, "Duration of periodical watch progress notification."));
    f.add(spec("experimental-warning-apply-duration", FlagType.DURATION, "100ms", m, G_EXPERIMENTAL, "Warning is generated if requests take more than this duration."));

    f.add(spec("force-new-cluster", FlagType.BOOL, "false", m, G_UNSAFE, "Force to create a new one-member cluster."));
    f.add(spec("unsafe-no-fsync", FlagType.BOOL, "false", m, null, "Disables fsync, unsafe, will cause data loss."));
    f.add(spec("enable-grpc-gateway", FlagType.BOOL, "true", m, null, "Enable GRPC gateway."));

    f.add(spec("debug", FlagType.BOOL, "false", l, G_DEPRECATED, "Enable debug-level logging for etcd. [WARN] Will be deprecated in v3.5. Use '--log-level=debug' instead."));
    f.add(spec("log-package-levels", FlagType.STRING, "", l, G_DEPRECATED, "Specify a particular log level for each etcd package (eg: 'etcdmain=CRITICAL,etcdserver=DEBUG')."));

    // vetcd's own knobs; defaults are computed from the CPU count (see defaultValue()).
    String cores = Integer.toString(Runtime.getRuntime().availableProcessors());
    Section v = Section.VERTX;
    f.add(spec("vertx-client-instances", FlagType.UINT, cores, v, G_VERTX, "Number of client-facing server verticle instances (default: number of cores)."));
    f.add(spec("vertx-peer-instances", FlagType.UINT, cores, v, G_VERTX, "Number of peer-facing server verticle instances (default: number of cores)."));
    f.add(spec("vertx-event-loop-pool-size", FlagType.UINT, cores, v, G_VERTX, "Vert.x event loop threads (default: number of cores)."));
    f.add(spec("vertx-worker-pool-size", FlagType.UINT, cores, v, G_VERTX, "Vert.x worker threads for blocking work (default: number of cores)."));
    f.add(choice("vertx-transport", "auto", v, G_VERTX, "Network I/O under the event loops: 'auto' (epoll where Netty's native library loads, else nio), 'epoll', 'io_uring' or 'nio'.",
        "auto", "io_uring", "epoll", "nio"));

    for (String name : IGNORED) {
      f.add(new FlagSpec(name, FlagType.IGNORED, "", null, null, "", "", List.of()));
    }

    Map<String, FlagSpec> byName = new LinkedHashMap<>();
    Map<String, FlagSpec> byEnv = new LinkedHashMap<>();
    for (FlagSpec spec : f) {
      byName.put(spec.name(), spec);
      byEnv.put(spec.envName(), spec);
    }
    BY_NAME = Collections.unmodifiableMap(byName);
    BY_ENV = Collections.unmodifiableMap(byEnv);
  }

  private FlagTable() {
  }

  /** All flags, in help order. */
  public static List<FlagSpec> all() {
    return List.copyOf(BY_NAME.values());
  }

  /** The flag called {@code name}, or null. */
  public static FlagSpec byName(String name) {
    return BY_NAME.get(name);
  }

  /** The flag whose env variable is {@code envName} (e.g. ETCD_NAME), or null. */
  public static FlagSpec byEnvName(String envName) {
    return BY_ENV.get(envName);
  }

  /** The flag stored under {@code key} in {@code section} of the JSON file, or null. */
  public static FlagSpec bySectionKey(Section section, String key) {
    for (FlagSpec spec : BY_NAME.values()) {
      if (spec.section() == section && spec.jsonKey().equals(key)) {
        return spec;
      }
    }
    return null;
  }

  /** Flags stored in one section, in help order. */
  public static List<FlagSpec> inSection(Section section) {
    List<FlagSpec> out = new ArrayList<>();
    for (FlagSpec spec : BY_NAME.values()) {
      if (spec.section() == section) {
        out.add(spec);
      }
    }
    return out;
  }

  private static FlagSpec spec(String name, FlagType type, String def, Section section, String group, String desc) {
    return new FlagSpec(name, type, def, section, group, def == null ? "" : def, desc, List.of());
  }

  private static FlagSpec spec(String name, FlagType type, String def, Section section, String group,
      String helpDefault, String desc) {
    return new FlagSpec(name, type, def, section, group, helpDefault, desc, List.of());
  }

  private static FlagSpec choice(String name, String def, Section section, String group, String desc, String... allowed) {
    return new FlagSpec(name, FlagType.STRING, def, section, group, def, desc, List.of(allowed));
  }
}
