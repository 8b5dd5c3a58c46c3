import io.vetcd.mvcc.*;
import io.vetcd.pb.etcdserver.RangeRequest;
import com.google.protobuf.ByteString;
import java.nio.file.*;

/**
 * Writer cost of kept counts through MvccStore: creates and deletes with 0 ranges kept vs 64 ranges that all
 * contain the keys (worst case), thread CPU and wall per commit.
 *   java -cp target/node-fat.jar bench/counted-ranges/ApplyCost.java
 */
public class ApplyCost {
    public static void main(String[] a) throws Exception {
        int n = 20000;
        for (int round = 0; round < 6; round++) {
            for (int kept : new int[] {0, 64}) {
                Path dir = Files.createTempDirectory("applycost");
                try (MvccStore s = MvccStore.open(dir, MvccOptions.defaults())) {
                    for (int i = 0; i < kept; i++) {
                        // nested ranges, all containing every key written below
                        s.range(RangeRequest.newBuilder().setKey(ByteString.copyFromUtf8("a" + "/".repeat(i)))
                            .setRangeEnd(ByteString.copyFromUtf8("z" + i)).setCountOnly(true).build());
                    }
                    long t0 = System.nanoTime();
                    long cpu0 = java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
                    for (int i = 0; i < n; i++) {
                        WriteTxn t = s.beginWrite();
                        t.put(("b/" + round + "/" + i).getBytes(), "v".getBytes(), 0);
                        t.commit(i + 1);
                        if (i % 2 == 1) { // and a delete: every commit moves every kept count
                            WriteTxn d = s.beginWrite();
                            d.deleteRange(("b/" + round + "/" + (i - 1)).getBytes(), null);
                            d.commit(i + 1);
                        }
                    }
                    long cpu = java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() - cpu0;
                    long c = s.range(RangeRequest.newBuilder().setKey(ByteString.copyFromUtf8("a"))
                            .setRangeEnd(ByteString.copyFromUtf8("z0")).setCountOnly(true).build()).count();
                    System.out.printf("round %d kept %2d: %d commits, %.2f us CPU per commit, wall %.2f us (count %d)%n",
                        round, kept, n * 3 / 2, cpu / 1000.0 / (n * 3 / 2), (System.nanoTime() - t0) / 1000.0 / (n * 3 / 2), c);
                }
                try (var w = Files.walk(dir)) { w.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete()); }
            }
        }
    }
}
