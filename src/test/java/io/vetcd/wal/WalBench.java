package io.vetcd.wal;

import io.vetcd.raft.Entry;
import io.vetcd.raft.EntryType;
import io.vetcd.raft.HardState;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Throughput probe, not a test (no timing assertions anywhere): prints appends/s, syncs/s and sync
 * latency percentiles for 1 and 64 entries per sync.
 *
 * <pre>
 * mvn -B -q -o test-compile -Dprotobuf.skip=true
 * java -cp target/classes:target/test-classes io.vetcd.wal.WalBench [dir] [seconds] [entryBytes]
 * </pre>
 */
public final class WalBench {
    public static void main(String[] args) throws IOException {
        Path base = Path.of(args.length > 0 ? args[0] : "/tmp/vetcd-walbench");
        double seconds = args.length > 1 ? Double.parseDouble(args[1]) : 3;
        int size = args.length > 2 ? Integer.parseInt(args[2]) : 256;
        System.out.printf("dir=%s entry=%dB duration=%.1fs per run%n", base, size, seconds);
        rawFsync(base.resolve("raw"), seconds);
        for (boolean fsync : new boolean[] {true, false}) {
            for (boolean prealloc : new boolean[] {true, false}) {
                for (int batch : new int[] {1, 64}) {
                    run(base.resolve("run-" + fsync + "-" + prealloc + "-" + batch), fsync, prealloc, batch, size, seconds);
                }
            }
        }
    }

    private static void run(Path dir, boolean fsync, boolean prealloc, int batch, int size, double seconds) throws IOException {
        deleteTree(dir);
        WalOptions opts = WalOptions.DEFAULT.withFsync(fsync).withPreallocate(prealloc);
        byte[] data = new byte[size];
        Arrays.fill(data, (byte) 7);
        long[] lat = new long[1 << 22];
        int syncs = 0;
        long appended = 0;
        long index = 1;
        try (Wal wal = Wal.open(dir, opts)) {
            // Warm-up so the JIT has compiled the encode path before measuring.
            long warmEnd = System.nanoTime() + 500_000_000L;
            while (System.nanoTime() < warmEnd) {
                List<Entry> es = batch(index, batch, data);
                index += batch;
                wal.saveAndSync(new HardState(1, 1, index - 1), es);
            }
            long end = System.nanoTime() + (long) (seconds * 1e9);
            long start = System.nanoTime();
            long now = start;
            while (now < end && syncs < lat.length) {
                List<Entry> es = batch(index, batch, data);
                index += batch;
                long t0 = System.nanoTime();
                wal.save(new HardState(1, 1, index - 1), es);
                wal.sync();
                now = System.nanoTime();
                lat[syncs++] = now - t0;
                appended += batch;
            }
            double secs = (now - start) / 1e9;
            long[] l = Arrays.copyOf(lat, syncs);
            Arrays.sort(l);
            System.out.printf("fsync=%-5s prealloc=%-5s batch=%2d: %,10.0f appends/s %,9.0f syncs/s  save+sync p50=%7.1fus p99=%7.1fus max=%8.1fus%n",
                    fsync, prealloc, batch, appended / secs, syncs / secs,
                    l[syncs / 2] / 1e3, l[(int) (syncs * 0.99)] / 1e3, l[syncs - 1] / 1e3);
        }
        deleteTree(dir);
    }

    /** Baseline without the WAL: 300-byte pwrite + fdatasync into a preallocated file. */
    private static void rawFsync(Path dir, double seconds) throws IOException {
        deleteTree(dir);
        Files.createDirectories(dir);
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(dir.resolve("f"),
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.allocateDirect(1), 64L << 20);
            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocateDirect(300);
            long[] lat = new long[1 << 22];
            int n = 0;
            long pos = 0;
            long end = System.nanoTime() + (long) (seconds * 1e9);
            long start = System.nanoTime();
            long now = start;
            while (now < end && n < lat.length) {
                long t0 = System.nanoTime();
                b.clear();
                pos += ch.write(b, pos);
                ch.force(false);
                now = System.nanoTime();
                lat[n++] = now - t0;
            }
            long[] l = Arrays.copyOf(lat, n);
            Arrays.sort(l);
            System.out.printf("raw pwrite(300B)+fdatasync baseline: %,9.0f syncs/s  p50=%7.1fus p99=%7.1fus%n",
                    n / ((now - start) / 1e9), l[n / 2] / 1e3, l[(int) (n * 0.99)] / 1e3);
        }
        deleteTree(dir);
    }

    private static List<Entry> batch(long from, int n, byte[] data) {
        List<Entry> es = new ArrayList<>(n);
        for (int i = 0; i < n; i++) es.add(new Entry(1, from + i, EntryType.NORMAL, data));
        return es;
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) Files.delete(p);
        }
    }
}
