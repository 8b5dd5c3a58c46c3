package io.vetcd.mvcc;

import static io.vetcd.mvcc.StoreTestSupport.b;
import static io.vetcd.mvcc.StoreTestSupport.req;

import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/** Rough throughput numbers; run with {@code -Dvetcd.bench=true -Dsurefire.excludedGroups=none}. */
@Tag("soak")
@EnabledIfSystemProperty(named = "vetcd.bench", matches = "true")
class StoreBenchmarkTest {

    @TempDir
    Path dir;

    @Test
    void throughput() {
        try (MvccStore s = MvccStore.open(dir, MvccOptions.defaults())) {
            int n = 200_000;
            byte[] value = new byte[256];
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                WriteTxn t = s.beginWrite();
                t.put(b("key/" + (i % 50_000)), value, 0);
                t.commit(i + 1);
            }
            long t1 = System.nanoTime();
            System.out.printf("puts: %.0f/s%n", n / ((t1 - t0) / 1e9));
            for (int i = 0; i < n; i++) {
                s.range(req("key/" + (i % 50_000), null).build());
            }
            long t2 = System.nanoTime();
            System.out.printf("gets: %.0f/s%n", n / ((t2 - t1) / 1e9));
            for (int i = 0; i < 200; i++) {
                s.range(req("key/", "key0").setLimit(100).build());
            }
            long t3 = System.nanoTime();
            System.out.printf("range limit 100 over 50k keys (count all): %.2f ms%n", (t3 - t2) / 1e6 / 200);
            for (int i = 0; i < 2000; i++) {
                s.range(req("key/1", "key/2").setLimit(100).build());
            }
            long t4 = System.nanoTime();
            System.out.printf("range limit 100 over ~11k keys: %.3f ms%n", (t4 - t3) / 1e6 / 2000);
            s.compact(s.currentRevision()).join();
            long t5 = System.nanoTime();
            System.out.printf("compaction of %d revisions: %.0f ms%n", n, (t5 - t4) / 1e6);
            for (int i = 0; i < 200; i++) {
                s.range(req("key/", "key0").setLimit(100).build());
            }
            long t6 = System.nanoTime();
            System.out.printf("after compaction, range limit 100 over 50k keys: %.2f ms%n", (t6 - t5) / 1e6 / 200);
            s.defragment();
            long t7 = System.nanoTime();
            System.out.printf("defragment: %.0f ms%n", (t7 - t6) / 1e6);
            for (int i = 0; i < 200; i++) {
                s.range(req("key/", "key0").setLimit(100).build());
            }
            long t8 = System.nanoTime();
            System.out.printf("after defragment, range limit 100 over 50k keys: %.2f ms%n", (t8 - t7) / 1e6 / 200);
            for (int i = 0; i < 200; i++) {
                s.range(req("key/", "key0").setCountOnly(true).build());
            }
            long t9 = System.nanoTime();
            System.out.printf("count only over 50k keys: %.2f ms%n", (t9 - t8) / 1e6 / 200);
            for (int i = 0; i < 20; i++) {
                s.range(req("key/", "key0").build());
            }
            long t10 = System.nanoTime();
            System.out.printf("full fetch of 50k keys: %.2f ms%n", (t10 - t9) / 1e6 / 20);
        }
    }
}
