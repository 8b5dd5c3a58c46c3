package io.vetcd.proxy;

/** {@code etcd grpc-proxy start --help}: etcd 3.4's text (vetcd refuses --enable-pprof, --auto-tls and --experimental-leasing-prefix). */
final class GrpcProxyUsage {
  private GrpcProxyUsage() {
  }

  static final String TEXT = String.join("\n",
      "start the grpc proxy",
      "",
      "Usage:",
      "  etcd grpc-proxy start [flags]",
      "",
      "Flags:",
      "      --advertise-client-url string          advertise address to register (must be reachable by client) (default \"127.0.0.1:23790\")",
      "      --auto-tls                             proxy TLS using generated certificates",
      "      --cacert string                        verify certificates of TLS-enabled secure etcd servers using this CA bundle",
      "      --cert string                          identify secure connections with etcd servers using this TLS certificate file",
      "      --cert-file string                     identify secure connections to the proxy using this TLS certificate file",
      "      --client-crl-file string               proxy client certificate revocation list file.",
      "      --data-dir string                      Data directory for persistent data (default \"default.proxy\")",
      "      --debug                                Enable debug-level logging for grpc-proxy.",
      "      --discovery-srv string                 domain name to query for SRV records describing cluster endpoints",
      "      --discovery-srv-name string            service name to query when using DNS discovery",
      "      --enable-pprof                         Enable runtime profiling data via HTTP server. Address is at client URL + \"/debug/pprof/\"",
      "      --endpoints strings                    comma separated etcd cluster endpoints (default [127.0.0.1:2379])",
      "      --experimental-leasing-prefix string   leasing metadata prefix for disconnected linearized reads.",
      "      --experimental-serializable-ordering   Ensure serializable reads have monotonically increasing store revisions across endpoints.",
      "  -h, --help                                 help for start",
      "      --insecure-discovery                   accept insecure SRV records",
      "      --insecure-skip-tls-verify             skip authentication of etcd server TLS certificates (CAUTION: this option should be enabled only for testing purposes)",
      "      --key string                           identify secure connections with etcd servers using this TLS key file",
      "      --key-file string                      identify secure connections to the proxy using this TLS key file",
      "      --listen-addr string                   listen address (default \"127.0.0.1:23790\")",
      "      --listen-cipher-suites strings         Comma-separated list of supported TLS cipher suites between client/proxy (empty will be auto-populated by Go).",
      "      --max-concurrent-streams uint32        Maximum concurrent streams that each client can open at a time. (default 4294967295)",
      "      --max-recv-bytes int                   message receive limits in bytes (default value is math.MaxInt32) (default 2147483647)",
      "      --max-send-bytes int                   message send limits in bytes (default value is 1.5 MiB) (default 1572864)",
      "      --metrics-addr string                  listen for endpoint /metrics requests on an additional interface",
      "      --namespace string                     string to prefix to all keys for namespacing requests",
      "      --resolver-prefix string               prefix to use for registering proxy (must be shared with other grpc-proxy members)",
      "      --resolver-ttl int                     specify TTL, in seconds, when registering proxy endpoints",
      "      --trusted-ca-file string               verify certificates of TLS-enabled secure proxy using this CA bundle",
      "");
}
