package io.vetcd.server;

import io.vertx.core.Context;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The request timeout kept per event loop ({@link ProposalDeadlines}, one timer for many proposals):
 * unanswered proposals fail with etcd's TIMEOUT once their own deadline passes (not before, and
 * not those answered in time), the core is told which ones, and answered ones leave the queue.
 */
class ProposalDeadlinesTest {
    private Vertx vertx;
    private Context loop;

    @BeforeEach
    void start() {
        vertx = Vertx.vertx();
        loop = vertx.getOrCreateContext();
    }

    @AfterEach
    void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private <T> T on(java.util.concurrent.Callable<T> task) throws Exception {
        CompletableFuture<T> f = new CompletableFuture<>();
        loop.runOnContext(v -> {
            try { f.complete(task.call()); } catch (Throwable t) { f.completeExceptionally(t); }
        });
        return f.get(10, TimeUnit.SECONDS);
    }

    @Test
    void unansweredProposalsTimeOutAtTheirOwnDeadline() throws Exception {
        List<Long> abandoned = new CopyOnWriteArrayList<>();
        ProposalDeadlines d = on(() -> new ProposalDeadlines(vertx, 300, abandoned::add));
        List<Promise<Object>> ps = List.of(Promise.promise(), Promise.promise(), Promise.promise(), Promise.promise());
        long t0 = System.nanoTime();
        on(() -> { d.add(1, ps.get(0)); d.add(2, ps.get(1)); return null; });
        Thread.sleep(150);
        on(() -> { d.add(3, ps.get(2)); d.add(4, ps.get(3)); return null; });
        // 2 and 3 are answered in time
        on(() -> { ps.get(1).complete("two"); d.answered(); ps.get(2).complete("three"); d.answered(); return null; });

        ps.get(0).future().toCompletionStage().toCompletableFuture().handle((v, e) -> e).get(5, TimeUnit.SECONDS);
        long first = System.nanoTime() - t0;
        assertTrue(first >= TimeUnit.MILLISECONDS.toNanos(300), "timed out after " + first / 1_000_000 + " ms, before its 300 ms");
        assertTrue(!ps.get(3).future().isComplete() || System.nanoTime() - t0 >= TimeUnit.MILLISECONDS.toNanos(450),
            "the later proposal kept its own, later deadline");
        ps.get(3).future().toCompletionStage().toCompletableFuture().handle((v, e) -> e).get(5, TimeUnit.SECONDS);
        assertTrue(System.nanoTime() - t0 >= TimeUnit.MILLISECONDS.toNanos(450));

        Throwable firstError = ps.get(0).future().cause();
        assertInstanceOf(EtcdException.class, firstError);
        assertEquals(EtcdError.TIMEOUT, ((EtcdException) firstError).error());
        assertEquals(EtcdError.TIMEOUT, ((EtcdException) ps.get(3).future().cause()).error());
        assertEquals("two", ps.get(1).future().result());
        assertEquals("three", ps.get(2).future().result());
        // read on the loop: the timer's task fails a promise before it tells the core, and the failure
        // wakes this thread, which could otherwise look before the task has finished
        assertEquals(List.of(1L, 4L), on(() -> List.copyOf(abandoned)));
        assertEquals(0, (int) on(d::waiting));
    }

    @Test
    void answeredProposalsLeaveTheQueue() throws Exception {
        ProposalDeadlines d = on(() -> new ProposalDeadlines(vertx, 60_000, id -> { }));
        addAnswered(d, 10_000);
        assertEquals(0, (int) on(d::waiting));
        Promise<Object> stuck = Promise.promise();
        on(() -> { d.add(-1, stuck); return null; });
        addAnswered(d, 100);
        assertEquals(101, (int) on(d::waiting), "answered ones behind an unanswered one wait for it");
        on(() -> { stuck.complete("late"); d.answered(); return null; });
        assertEquals(0, (int) on(d::waiting));
    }

    /** {@code n} proposals, each answered as soon as it is added. */
    private void addAnswered(ProposalDeadlines d, int n) throws Exception {
        on(() -> {
            for (int i = 0; i < n; i++) {
                Promise<Object> p = Promise.promise();
                d.add(i, p);
                p.complete(i);
                d.answered();
            }
            return null;
        });
    }
}
