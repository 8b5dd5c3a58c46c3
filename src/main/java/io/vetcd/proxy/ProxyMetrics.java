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
  final Counter forwardedCalls = registry.counter("vetcd_grpc_proxy_forwarded_calls_total",
      "gRPC calls forwarded to the cluster");
}
