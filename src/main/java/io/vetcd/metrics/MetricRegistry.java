package io.vetcd.metrics;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.DoubleSupplier;

/**
 * The metric families of one member, written in the Prometheus text format (0.0.4) the way etcd's
 * client_golang writes it: families sorted by name, labels sorted by name, Go number formatting.
 * Names are taken verbatim (no unit or {@code _total} suffixes added), which is why vetcd does not
 * use Micrometer or the Prometheus Java client here: both rename etcd's counters without
 * {@code _total} and refuse gauges whose names end in {@code _total}, which etcd has.
 */
public final class MetricRegistry {
    private final Map<String, MetricFamily<?>> families = new ConcurrentSkipListMap<>();
    private final List<Runnable> beforeScrape = new CopyOnWriteArrayList<>();

    public Counter counter(String name, String help) {
        return counterVec(name, help).labels();
    }

    public MetricFamily<Counter> counterVec(String name, String help, String... labelNames) {
        return register(new MetricFamily<>(name, help, MetricFamily.Type.COUNTER, labelNames, Counter::new));
    }

    /** A counter kept elsewhere (e.g. the kernel's CPU time), read at scrape time on a worker thread. */
    public void counter(String name, String help, DoubleSupplier supplier) {
        register(new MetricFamily<>(name, help, MetricFamily.Type.COUNTER, new String[0], () -> new Gauge(supplier))).labels();
    }

    public Gauge gauge(String name, String help) {
        return gaugeVec(name, help).labels();
    }

    /** A gauge read at scrape time; the supplier runs on a worker thread, never on an event loop. */
    public void gauge(String name, String help, DoubleSupplier supplier) {
        register(new MetricFamily<>(name, help, MetricFamily.Type.GAUGE, new String[0], () -> new Gauge(supplier))).labels();
    }

    public MetricFamily<Gauge> gaugeVec(String name, String help, String... labelNames) {
        return register(new MetricFamily<>(name, help, MetricFamily.Type.GAUGE, labelNames, () -> new Gauge(null)));
    }

    public Histogram histogram(String name, String help, double[] buckets) {
        return histogramVec(name, help, buckets).labels();
    }

    public MetricFamily<Histogram> histogramVec(String name, String help, double[] buckets, String... labelNames) {
        double[] b = buckets.clone();
        return register(new MetricFamily<>(name, help, MetricFamily.Type.HISTOGRAM, labelNames, () -> new Histogram(b)));
    }

    /** Work to do before each scrape (e.g. refresh values read from /proc); runs on a worker thread. */
    public void beforeScrape(Runnable r) {
        beforeScrape.add(r);
    }

    private <T> MetricFamily<T> register(MetricFamily<T> f) {
        if (families.putIfAbsent(f.name(), f) != null) throw new IllegalStateException("duplicate metric " + f.name());
        return f;
    }

    public MetricFamily<?> family(String name) {
        return families.get(name);
    }

    /** The whole exposition; may read RocksDB properties and /proc, so call it off the event loop. */
    public String scrape() {
        for (Runnable r : beforeScrape) r.run();
        StringBuilder out = new StringBuilder(32 * 1024);
        for (MetricFamily<?> f : families.values()) f.render(out);
        return out.toString();
    }
}
