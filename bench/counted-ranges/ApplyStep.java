import io.vetcd.mvcc.Changes;
import io.vetcd.pb.mvcc.Event;
import io.vetcd.pb.mvcc.KeyValue;
import com.google.protobuf.ByteString;
import java.lang.reflect.*;
import java.util.List;

/**
 * The writer's cost of kept counts (io.vetcd.mvcc.CountedRanges.apply alone): thread CPU ns per commit of one
 * create or one delete, with 0 or 64 kept ranges that all contain the key (the worst case: every count moves).
 * Run against a built jar (single-file source launch; the class is package-private, so by reflection):
 *   java -cp target/node-fat.jar bench/counted-ranges/ApplyStep.java
 */
public class ApplyStep {
    public static void main(String[] a) throws Exception {
        Class<?> c = Class.forName("io.vetcd.mvcc.CountedRanges");
        Constructor<?> ctor = c.getDeclaredConstructor(int.class, long.class); ctor.setAccessible(true);
        Method reg = c.getDeclaredMethod("register", byte[].class, byte[].class); reg.setAccessible(true);
        Method settle = null;
        for (Method m : c.getDeclaredMethods()) if (m.getName().equals("settle")) settle = m;
        settle.setAccessible(true);
        Method apply = c.getDeclaredMethod("apply", long.class, Changes.class); apply.setAccessible(true);
        for (int round = 0; round < 5; round++) {
            for (int kept : new int[] {0, 64}) {
                Object cr = ctor.newInstance(64, 1L);
                for (int i = 0; i < kept; i++) {
                    Object r = reg.invoke(cr, ("/registry/" + "/".repeat(i)).getBytes(), ("/registry0" + i).getBytes());
                    settle.invoke(cr, r, 0L, 1L);
                }
                int n = 2_000_000;
                Changes[] ch = new Changes[2];
                ch[0] = new Changes(0, List.of(Event.newBuilder().setType(Event.EventType.PUT).setKv(KeyValue.newBuilder()
                    .setKey(ByteString.copyFromUtf8("/registry/pods/default/nginx-7c5ddbdf54-abcde")).setVersion(1)).build()));
                ch[1] = new Changes(0, List.of(Event.newBuilder().setType(Event.EventType.DELETE).setKv(KeyValue.newBuilder()
                    .setKey(ByteString.copyFromUtf8("/registry/pods/default/nginx-7c5ddbdf54-abcde"))).build()));
                var mx = java.lang.management.ManagementFactory.getThreadMXBean(); long t0 = mx.getCurrentThreadCpuTime();
                for (int i = 0; i < n; i++) apply.invoke(cr, (long) (i + 2), ch[i & 1]);
                System.out.printf("round %d kept %2d: %.0f ns CPU per commit (incl. a reflective call)%n", round, kept, (mx.getCurrentThreadCpuTime() - t0) / (double) n);
            }
        }
    }
}
