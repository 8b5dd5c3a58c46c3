package io.vetcd.bench;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a JFR recording of the server says, in a few lines: hot methods (self
 * and inclusive for io.vetcd), where threads sit in native code (fsync, epoll,
 * RocksDB), allocation by site, fsync count and durations, GC pauses, and
 * blocking (park/monitor) on event-loop threads.
 */
@Command(name = "jfr-summary", mixinStandardHelpOptions = true, description = "Summarize a JFR recording of vetcd (hot methods, fsyncs, GC, allocation, event-loop blocking).")
final class JfrSummary implements Callable<Integer> {
    @Parameters(index = "0", description = "the .jfr file") Path file;
    @Option(names = "--top", defaultValue = "15") int top;
    @Option(names = "--requests", defaultValue = "0", description = "write requests in the recording, to print requests per fsync") long requests;

    @Override
    public Integer call() throws IOException {
        Map<String, Long> selfJava = new HashMap<>(), inclVetcd = new HashMap<>(), selfNative = new HashMap<>(), threadsJava = new HashMap<>(),
            threadsNative = new HashMap<>(), alloc = new HashMap<>(), allocVetcd = new HashMap<>(), loopBlock = new HashMap<>(), forcePaths = new HashMap<>();
        List<Double> force = new ArrayList<>();
        List<Double> gcPauses = new ArrayList<>();
        double cpuUser = 0, cpuSys = 0, cpuMachine = 0;
        int cpuN = 0;
        long execN = 0, nativeN = 0;
        double allocTotal = 0;
        try (RecordingFile rf = new RecordingFile(file)) {
            while (rf.hasMoreEvents()) {
                RecordedEvent e = rf.readEvent();
                String type = e.getEventType().getName();
                switch (type) {
                    case "jdk.ExecutionSample" -> {
                        execN++;
                        inc(threadsJava, group(e.getThread("sampledThread")), 1);
                        List<RecordedFrame> fr = frames(e.getStackTrace());
                        if (!fr.isEmpty()) inc(selfJava, name(fr.get(0)), 1);
                        Set<String> seen = new HashSet<>();
                        for (RecordedFrame f : fr) {
                            String n = name(f);
                            if (n.startsWith("io.vetcd.") && !n.startsWith("io.vetcd.pb.") && seen.add(n)) inc(inclVetcd, n, 1);
                        }
                    }
                    case "jdk.NativeMethodSample" -> {
                        nativeN++;
                        String g = group(e.getThread("sampledThread"));
                        List<RecordedFrame> fr = frames(e.getStackTrace());
                        String n = fr.isEmpty() ? "?" : name(fr.get(0));
                        inc(threadsNative, g + "  " + n, 1);
                        inc(selfNative, n, 1);
                    }
                    case "jdk.ObjectAllocationSample" -> {
                        long w = e.getLong("weight");
                        allocTotal += w;
                        List<RecordedFrame> fr = frames(e.getStackTrace());
                        String cls = e.getClass("objectClass") == null ? "?" : e.getClass("objectClass").getName();
                        if (!fr.isEmpty()) inc(alloc, cls + " <- " + name(fr.get(0)), w);
                        for (RecordedFrame f : fr) {
                            String n = name(f);
                            if (n.startsWith("io.vetcd.") && !n.startsWith("io.vetcd.pb.")) {
                                inc(allocVetcd, n, w);
                                break;
                            }
                        }
                    }
                    case "jdk.FileForce" -> {
                        force.add(e.getDuration().toNanos() / 1e6);
                        inc(forcePaths, String.valueOf(e.getString("path")).replaceAll("/[^/]*$", "/"), 1);
                    }
                    case "jdk.GarbageCollection" -> gcPauses.add(e.getDuration("sumOfPauses").toNanos() / 1e6);
                    case "jdk.CPULoad" -> {
                        cpuUser += e.getFloat("jvmUser");
                        cpuSys += e.getFloat("jvmSystem");
                        cpuMachine += e.getFloat("machineTotal");
                        cpuN++;
                    }
                    case "jdk.ThreadPark", "jdk.JavaMonitorEnter", "jdk.JavaMonitorWait", "jdk.SocketRead", "jdk.FileRead", "jdk.FileWrite" -> {
                        RecordedThread t = e.getThread();
                        if (t != null && t.getJavaName() != null && t.getJavaName().startsWith("vert.x-eventloop")) {
                            List<RecordedFrame> fr = frames(e.getStackTrace());
                            String site = "?";
                            for (RecordedFrame f : fr) {
                                String n = name(f);
                                if (!n.startsWith("java.") && !n.startsWith("jdk.") && !n.startsWith("sun.")) {
                                    site = n;
                                    break;
                                }
                            }
                            inc(loopBlock, type + " at " + site, e.getDuration().toMillis());
                        }
                    }
                    default -> { }
                }
            }
        }
        System.out.println("JFR summary of " + file);
        if (cpuN > 0) System.out.printf(Locale.ROOT, "CPU: vetcd JVM user %.1f%% + system %.1f%% of the machine; whole machine %.1f%%%n",
            100 * cpuUser / cpuN, 100 * cpuSys / cpuN, 100 * cpuMachine / cpuN);
        print("Java execution samples by thread (" + execN + ")", threadsJava, execN, top);
        print("hot methods, self (Java samples)", selfJava, execN, top);
        print("io.vetcd methods, inclusive (Java samples)", inclVetcd, execN, top);
        print("native samples: thread group + native method (" + nativeN + ")", threadsNative, nativeN, top);
        print("allocation by class <- allocating frame (sampled weight, bytes)", alloc, (long) allocTotal, top);
        print("allocation by first io.vetcd frame (bytes)", allocVetcd, (long) allocTotal, top);
        Collections.sort(force);
        if (!force.isEmpty()) {
            double sum = force.stream().mapToDouble(Double::doubleValue).sum();
            System.out.printf(Locale.ROOT, "%nfsync (FileChannel.force, recorded above the .jfc threshold): %d calls, %.0f ms in all, p50 %.2f ms, p99 %.2f ms, max %.2f ms%n",
                force.size(), sum, force.get(force.size() / 2), force.get((int) Math.min(force.size() - 1, force.size() * 0.99)), force.get(force.size() - 1));
            if (requests > 0) System.out.printf(Locale.ROOT, "  %d write requests / %d fsyncs = %.1f requests per fsync%n", requests, force.size(), requests / (double) force.size());
            forcePaths.forEach((p, n) -> System.out.println("  " + n + "  " + p));
        }
        if (!gcPauses.isEmpty()) {
            double sum = gcPauses.stream().mapToDouble(Double::doubleValue).sum();
            System.out.printf(Locale.ROOT, "%nGC: %d collections, pauses %.0f ms in all, max %.1f ms%n", gcPauses.size(), sum, Collections.max(gcPauses));
        }
        print("blocking on event-loop threads (park/monitor/file/socket events above threshold; ms)", loopBlock, 0, top);
        return 0;
    }

    /** Copies the JDK's profile.jfc with file I/O thresholds at 0 ms, so every fsync is recorded. */
    static Path settings(Path dir) throws IOException {
        Path src = Path.of(System.getProperty("java.home"), "lib", "jfr", "profile.jfc");
        String s = Files.readString(src);
        Matcher m = Pattern.compile("(<event name=\"jdk\\.(FileForce|FileWrite)\">.*?<setting name=\"threshold\"[^>]*>)[^<]*(<)", Pattern.DOTALL).matcher(s);
        StringBuilder b = new StringBuilder();
        while (m.find()) m.appendReplacement(b, Matcher.quoteReplacement(m.group(1) + "0 ms" + m.group(3)));
        m.appendTail(b);
        Path out = dir.resolve("vetcd-profile.jfc");
        Files.writeString(out, b.toString());
        return out;
    }

    private static void print(String title, Map<String, Long> m, long total, int top) {
        if (m.isEmpty()) return;
        System.out.println();
        System.out.println(title + ":");
        m.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(top).forEach(en ->
            System.out.printf(Locale.ROOT, "  %10d %s %s%n", en.getValue(), total > 0 ? String.format(Locale.ROOT, "%5.1f%%", 100.0 * en.getValue() / total) : "", en.getKey()));
    }

    private static List<RecordedFrame> frames(RecordedStackTrace st) {
        return st == null ? List.of() : st.getFrames();
    }

    private static String name(RecordedFrame f) {
        return f.getMethod().getType().getName() + "." + f.getMethod().getName();
    }

    private static String group(RecordedThread t) {
        if (t == null || t.getJavaName() == null) return "?";
        return t.getJavaName().replaceAll("-\\d+$", "").replaceAll("\\d+$", "");
    }

    private static void inc(Map<String, Long> m, String k, long v) {
        m.merge(k, v, Long::sum);
    }
}
