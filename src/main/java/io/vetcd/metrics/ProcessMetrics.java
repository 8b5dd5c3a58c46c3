package io.vetcd.metrics;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * client_golang's process collector (process_*) and etcd's os_fd_* gauges, read from /proc at
 * scrape time (Linux only; elsewhere they are left out rather than reported as zero), plus a few
 * JVM gauges under their own jvm_ names in place of Go's go_* runtime metrics.
 */
public final class ProcessMetrics {
    /** USER_HZ: the unit of utime/stime in /proc/self/stat on every Linux we run on. */
    private static final double CLOCK_TICKS_PER_SECOND = 100;
    private static final long PAGE_SIZE = 4096;
    private static final Path PROC = Path.of("/proc/self");

    private ProcessMetrics() { }

    public static void register(MetricRegistry r) {
        MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
        if (Files.isReadable(PROC.resolve("stat"))) {
            r.counter("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.", () -> {
                String[] f = stat();
                return f == null ? Double.NaN : (Long.parseLong(f[13]) + Long.parseLong(f[14])) / CLOCK_TICKS_PER_SECOND;
            });
            r.gauge("process_resident_memory_bytes", "Resident memory size in bytes.", () -> {
                String[] f = stat();
                return f == null ? Double.NaN : Long.parseLong(f[23]) * PAGE_SIZE;
            });
            r.gauge("process_virtual_memory_bytes", "Virtual memory size in bytes.", () -> {
                String[] f = stat();
                return f == null ? Double.NaN : Long.parseLong(f[22]);
            });
            r.gauge("process_open_fds", "Number of open file descriptors.", ProcessMetrics::openFds);
            r.gauge("process_max_fds", "Maximum number of open file descriptors.", () -> limit("Max open files"));
            r.gauge("process_virtual_memory_max_bytes", "Maximum amount of virtual memory available in bytes.",
                () -> limit("Max address space"));
            r.gauge("os_fd_used", "The number of used file descriptors.", ProcessMetrics::openFds);
            r.gauge("os_fd_limit", "The file descriptor limit.", () -> limit("Max open files"));
        }
        long startMillis = ProcessHandle.current().info().startInstant().map(i -> i.toEpochMilli())
            .orElse(ManagementFactory.getRuntimeMXBean().getStartTime());
        r.gauge("process_start_time_seconds", "Start time of the process since unix epoch in seconds.", () -> startMillis / 1000.0);
        var heap = r.gaugeVec("jvm_memory_bytes_used", "Used bytes of a given JVM memory area.", "area");
        var committed = r.gaugeVec("jvm_memory_bytes_committed", "Committed (bytes) of a given JVM memory area.", "area");
        var heapUsed = heap.labels("heap");
        var nonHeapUsed = heap.labels("nonheap");
        var heapCommitted = committed.labels("heap");
        var nonHeapCommitted = committed.labels("nonheap");
        r.gauge("jvm_memory_bytes_max", "Max (bytes) of the JVM heap.", () -> mem.getHeapMemoryUsage().getMax());
        r.gauge("jvm_threads_current", "Current thread count of a JVM.", () -> ManagementFactory.getThreadMXBean().getThreadCount());
        var gcCount = r.gaugeVec("jvm_gc_collection_count", "Collections of a given JVM garbage collector since start.", "gc");
        var gcSeconds = r.gaugeVec("jvm_gc_collection_seconds", "Time spent in a given JVM garbage collector in seconds.", "gc");
        r.beforeScrape(() -> {
            heapUsed.set(mem.getHeapMemoryUsage().getUsed());
            heapCommitted.set(mem.getHeapMemoryUsage().getCommitted());
            nonHeapUsed.set(mem.getNonHeapMemoryUsage().getUsed());
            nonHeapCommitted.set(mem.getNonHeapMemoryUsage().getCommitted());
            for (var gc : ManagementFactory.getGarbageCollectorMXBeans()) {
                gcCount.labels(gc.getName()).set(gc.getCollectionCount());
                gcSeconds.labels(gc.getName()).set(gc.getCollectionTime() / 1000.0);
            }
        });
    }

    /** Fields of /proc/self/stat after the command name (which may contain spaces), 0-based as in proc(5) minus one. */
    private static String[] stat() {
        try {
            String s = Files.readString(PROC.resolve("stat"));
            String rest = s.substring(s.lastIndexOf(')') + 2);
            String[] after = rest.split(" ");
            // proc(5) numbers fields from 1: pid(1) comm(2) state(3)...; re-index so f[n-1] is field n
            String[] f = new String[after.length + 2];
            System.arraycopy(after, 0, f, 2, after.length);
            return f;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static double openFds() {
        int n = 0;
        try (DirectoryStream<Path> d = Files.newDirectoryStream(PROC.resolve("fd"))) {
            for (Path ignored : d) n++;
        } catch (IOException e) {
            return Double.NaN;
        }
        return Math.max(0, n - 1); // the directory stream's own descriptor
    }

    /** The soft limit of one line of /proc/self/limits; unlimited is 2^64-1, as Go's procfs reads it. */
    private static double limit(String name) {
        try {
            List<String> lines = Files.readAllLines(PROC.resolve("limits"));
            for (String l : lines) {
                if (!l.startsWith(name)) continue;
                String soft = l.substring(name.length()).trim().split("\\s+")[0];
                return "unlimited".equals(soft) ? 18446744073709551615.0 : Double.parseDouble(soft);
            }
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
        return Double.NaN;
    }
}
