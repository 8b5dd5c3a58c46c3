package io.vetcd.faults;

import com.google.protobuf.ByteString;
import io.vertx.core.Future;
import io.vetcd.pb.etcdserver.KVGrpcClient;
import io.vetcd.pb.etcdserver.PutRequest;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * How long after a fault ends (a partition heals, a paused member resumes, a killed one is
 * restarted) the cluster serves writes again: probe puts on a key outside the checked prefix,
 * through every member, in rounds, until each member has acknowledged one. "any" is the first
 * acknowledged write through any member (the cluster serves writes), "all" the last member's
 * first (every member serves writes again, the one that was cut off included).
 */
final class WriteRecovery {
    static final String PROBE_KEY = "probe/recovery";
    private static final long ROUND_MS = 1000;

    /** Milliseconds to the first acknowledged write through any member and through every member; -1 if not within the bound. */
    record Result(long anyMs, long allMs) {
        String describe() {
            return "writes again after " + fmt(anyMs) + " (any member), " + fmt(allMs) + " (every member)";
        }

        private static String fmt(long ms) {
            return ms < 0 ? "not within bound" : ms + " ms";
        }
    }

    private WriteRecovery() {}

    static Result measure(List<KVGrpcClient> kvs, long boundMs) throws InterruptedException {
        long start = System.nanoTime();
        long end = start + TimeUnit.MILLISECONDS.toNanos(boundMs);
        AtomicLongArray firstOk = new AtomicLongArray(kvs.size());
        for (int i = 0; i < kvs.size(); i++) firstOk.set(i, -1);
        int n = 0;
        while (System.nanoTime() < end && missing(firstOk)) {
            List<Future<?>> round = new ArrayList<>();
            for (int i = 0; i < kvs.size(); i++) {
                if (firstOk.get(i) >= 0) continue;
                int member = i;
                PutRequest put = PutRequest.newBuilder().setKey(ByteString.copyFromUtf8(PROBE_KEY))
                    .setValue(ByteString.copyFromUtf8("p" + (n++))).build();
                // a put still pending from an earlier round may be the first to succeed: keep the earliest
                round.add(kvs.get(i).put(put).onSuccess(r -> firstOk.compareAndSet(member, -1,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start))));
            }
            long roundStart = System.nanoTime();
            try {
                Future.join(round).toCompletionStage().toCompletableFuture().get(ROUND_MS, TimeUnit.MILLISECONDS);
            } catch (Exception failedOrSlow) {
                // some member does not serve writes yet
            }
            long spent = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - roundStart);
            if (missing(firstOk) && spent < 100) Thread.sleep(100 - spent); // refused at once: don't spin
        }
        long any = -1;
        long all = 0;
        for (int i = 0; i < kvs.size(); i++) {
            long t = firstOk.get(i);
            if (t >= 0 && (any < 0 || t < any)) any = t;
            all = t < 0 || all < 0 ? -1 : Math.max(all, t);
        }
        return new Result(any, all);
    }

    private static boolean missing(AtomicLongArray firstOk) {
        for (int i = 0; i < firstOk.length(); i++) if (firstOk.get(i) < 0) return true;
        return false;
    }
}
