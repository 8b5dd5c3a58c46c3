package io.vetcd.server;

import io.netty.util.concurrent.SingleThreadEventExecutor;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Answers}: the answers of one batch to calls on one event loop — each call on its own
 * duplicated context, as Vert.x runs HTTP/2 streams — reach that loop as one task, and each is
 * still settled on its own context, in batch order.
 */
class AnswersTest {
    private Vertx vertx;

    @BeforeEach
    void start() { vertx = Vertx.vertx(); }

    @AfterEach
    void stop() throws Exception { vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS); }

    @Test
    void oneTaskPerEventLoopEachAnswerOnItsOwnContext() throws Exception {
        ContextInternal base = (ContextInternal) vertx.getOrCreateContext();
        SingleThreadEventExecutor loop = (SingleThreadEventExecutor) base.nettyEventLoop();
        int n = 10;
        List<ContextInternal> contexts = new ArrayList<>();
        List<Object> seen = new CopyOnWriteArrayList<>();
        List<Object> order = new CopyOnWriteArrayList<>();
        Answers answers = new Answers();
        CountDownLatch done = new CountDownLatch(n);
        for (int i = 0; i < n; i++) {
            ContextInternal c = base.duplicate();
            contexts.add(c);
            Promise<Object> p = Promise.promise();
            int k = i;
            p.future().onComplete(ar -> {
                seen.add(ContextInternal.current());
                order.add(ar.result());
                done.countDown();
            });
            answers.add(new Proposal(k, new byte[0], p, c), "answer-" + k);
        }
        // hold the event loop while the batch is handed over, then count what waits for it
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        loop.execute(() -> {
            held.countDown();
            try { release.await(10, TimeUnit.SECONDS); } catch (InterruptedException e) { Thread.currentThread().interrupt(); }
        });
        assertTrue(held.await(10, TimeUnit.SECONDS));
        int before = loop.pendingTasks();
        answers.send();
        int tasks = loop.pendingTasks() - before;
        release.countDown();
        assertTrue(done.await(10, TimeUnit.SECONDS));
        assertEquals(1, tasks, "tasks handed to the event loop for " + n + " answers");
        for (int i = 0; i < n; i++) {
            assertSame(contexts.get(i), seen.get(i), "answer " + i + " settled on its own context");
            assertEquals("answer-" + i, order.get(i));
        }
    }
}
