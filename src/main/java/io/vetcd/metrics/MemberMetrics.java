package io.vetcd.metrics;

/** Every metric of one member, in one registry (several in-JVM members each have their own). */
public final class MemberMetrics {
    public final MetricRegistry registry = new MetricRegistry();
    public final ServerMetrics server = new ServerMetrics(registry);
    public final MvccMetrics mvcc = new MvccMetrics(registry);
    public final BackendMetrics backend = new BackendMetrics(registry);
    public final WalMetrics wal = new WalMetrics(registry);
    public final LeaseMetrics lease = new LeaseMetrics(registry);
    public final NetworkMetrics network = new NetworkMetrics(registry);
    public final GrpcServerMetrics grpc;

    /** {@code extensive}: etcd's {@code --metrics extensive}, which adds the per-method gRPC latency histograms. */
    public MemberMetrics(boolean extensive) {
        grpc = new GrpcServerMetrics(registry, network, extensive);
        ProcessMetrics.register(registry);
    }
}
