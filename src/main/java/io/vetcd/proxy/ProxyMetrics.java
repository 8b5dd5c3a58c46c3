package io.vetcd.proxy;

import io.vetcd.metrics.Counter;
import io.vetcd.metrics.Gauge;
import io.vetcd.metrics.MetricRegistry;

/** The proxy's own Prometheus metrics (etcd's etcd_grpc_proxy_* names), served at /proxy/metrics. */
final class ProxyMetrics {
  final MetricRegistry registry = new MetricRegistry();
  final Gauge watchersCoalescing = registry.gauge("etcd_grpc_proxy_watchers_coalescing_total",
      "Total number of current watchers coalescing");
  final Counter eventsCoalescing = registry.counter("etcd_grpc_proxy_events_coalescing_total",
      "Total number of events coalescing");
  final Gauge upstreamWatchers = registry.gauge("vetcd_grpc_proxy_upstream_watchers",
      "Watchers the proxy holds open on the cluster (one per distinct key range and start revision)");
  final Counter keepAlivesCoalesced = registry.counter("vetcd_grpc_proxy_keepalives_coalesced_total",
      "Lease keep-alives answered by a keep-alive another client had already sent to the cluster");
  final Counter keepAlivesReceived = registry.counter("vetcd_grpc_proxy_keepalives_received_total",
      "Lease keep-alive requests from clients");
  final Counter keepAlivesSent = registry.counter("vetcd_grpc_proxy_keepalives_sent_total",
      "Lease keep-alive requests the proxy sent to the cluster");
  final Counter cacheHits = registry.counter("etcd_grpc_proxy_cache_hits_total", "Total number of cache hits");
  final Counter cacheMisses = registry.counter("etcd_grpc_proxy_cache_misses_total", "Total number of cache misses");
  final Counter forwardedCalls = registry.counter("vetcd_grpc_proxy_forwarded_calls_total",
      "gRPC calls forwarded to the cluster");

  /** The cache's size, read at scrape time (invalidations change it too, on any event loop). */
  void cacheKeys(RangeCache cache) {
    registry.gauge("etcd_grpc_proxy_cache_keys_total", "Total number of keys/ranges cached", cache::size);
  }
}
