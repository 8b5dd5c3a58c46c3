package io.vetcd.proxy;

import java.util.List;

/** {@code etcd grpc-proxy start}'s flags after parsing and checking (see {@link GrpcProxyCommand}). */
record GrpcProxySettings(
    String listenHost, int listenPort,
    List<UpstreamEndpoint> endpoints,
    UpstreamTls upstreamTls,
    ListenerTlsFiles listenerTls,
    String namespace,
    String metricsAddr,
    String advertiseClientUrl,
    String resolverPrefix,
    int resolverTtl,
    boolean serializableOrdering,
    long maxRecvBytes,
    long maxConcurrentStreams) {

  /** The proxy's own listener TLS (--cert-file, --key-file, --trusted-ca-file, --client-crl-file, --listen-cipher-suites). */
  record ListenerTlsFiles(String certFile, String keyFile, String caFile, String crlFile, List<String> cipherSuites) {
    boolean enabled() {
      return !certFile.isEmpty() && !keyFile.isEmpty();
    }
  }

  String listenAddr() {
    return (listenHost.contains(":") ? "[" + listenHost + "]" : listenHost) + ":" + listenPort;
  }
}
