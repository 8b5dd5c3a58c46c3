package io.vetcd.bench;

import io.vertx.core.Context;
import io.vertx.core.Future;
import org.HdrHistogram.Histogram;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Closed-loop load: {@code clients} loops, each with exactly one request in
 * flight, spread over the connections (client i uses connection i % conns)
 * and the client event loops. Stops after {@code total} requests or
 * {@code maxSeconds}, whichever comes first; an UNIMPLEMENTED answer stops the
 * run at once (the server does not have that service yet).
 */
final class Driver {
    /** One request; {@code kind} indexes {@link #run}'s op names (0 when there is one kind). */
    interface Op {
        default int kind(int client, long seq) { return 0; }
        Future<?> issue(int client, long seq, int kind);
    }

    static Result run(String workload, Conns conns, int clients, long total, double maxSeconds, List<String> opNames, Op op) {
        Result r = new Result(workload, String.join(",", conns.endpoints));
        AtomicLong issued = new AtomicLong();
        AtomicBoolean abort = new AtomicBoolean();
        CountDownLatch done = new CountDownLatch(clients);
        long start = System.nanoTime();
        long deadline = start + (long) (maxSeconds * 1e9);
        AtomicLong lastDone = new AtomicLong(start);
        List<Loop> loops = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            Loop l = new Loop(c, conns.context(c), op, opNames.size(), issued, total, deadline, abort, done, lastDone);
            loops.add(l);
        }
        loops.forEach(l -> l.ctx.runOnContext(v -> l.next()));
        try {
            if (!done.await((long) (maxSeconds + 60), TimeUnit.SECONDS)) r.errors.add("STUCK", done.getCount());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        r.seconds = (lastDone.get() - start) / 1e9;
        List<Histogram> perOp = new ArrayList<>();
        for (int k = 0; k < opNames.size(); k++) perOp.add(Result.newHist());
        for (Loop l : loops) {
            synchronized (l) {
                r.ok += l.ok;
                r.errors.addAll(l.errors);
                for (int k = 0; k < l.hists.length; k++) {
                    r.hist.add(l.hists[k]);
                    perOp.get(k).add(l.hists[k]);
                }
            }
        }
        r.total = r.ok + r.errors.total();
        if (opNames.size() > 1) for (int k = 0; k < opNames.size(); k++) r.byOp.put(opNames.get(k), perOp.get(k));
        if (issued.get() < total && !abort.get()) r.extra.put("stopped_by_time_limit_s", maxSeconds);
        return r;
    }

    private static final class Loop {
        final int client;
        final Context ctx;
        final Op op;
        final Histogram[] hists;
        final Errors errors = new Errors();
        long ok;
        final AtomicLong issued;
        final long total;
        final long deadline;
        final AtomicBoolean abort;
        final CountDownLatch done;
        final AtomicLong lastDone;

        Loop(int client, Context ctx, Op op, int kinds, AtomicLong issued, long total, long deadline,
             AtomicBoolean abort, CountDownLatch done, AtomicLong lastDone) {
            this.client = client;
            this.ctx = ctx;
            this.op = op;
            this.hists = new Histogram[kinds];
            for (int k = 0; k < kinds; k++) hists[k] = Result.newHist();
            this.issued = issued;
            this.total = total;
            this.deadline = deadline;
            this.abort = abort;
            this.done = done;
            this.lastDone = lastDone;
        }

        void next() {
            long seq = issued.getAndIncrement();
            if (abort.get() || seq >= total || System.nanoTime() > deadline) {
                done.countDown();
                return;
            }
            int kind = op.kind(client, seq);
            long t0 = System.nanoTime();
            Future<?> f;
            try {
                f = op.issue(client, seq, kind);
            } catch (Throwable t) {
                f = Future.failedFuture(t);
            }
            f.onComplete(ar -> {
                long t1 = System.nanoTime();
                synchronized (this) {
                    if (ar.succeeded()) {
                        ok++;
                        Result.record(hists[kind], t1 - t0);
                    } else {
                        errors.add(ar.cause());
                        if ("UNIMPLEMENTED".equals(Errors.classify(ar.cause()))) abort.set(true);
                    }
                }
                lastDone.accumulateAndGet(t1, Math::max);
                if (ar.succeeded()) next();
                else ctx.runOnContext(v -> next()); // a failure may complete synchronously: do not recurse
            });
        }
    }
}
