package io.vetcd.server;

import io.vetcd.raft.ConfChange;
import io.vetcd.raft.ConfState;
import io.vetcd.raft.Entry;
import io.vetcd.raft.EntryType;
import org.junit.jupiter.api.Test;

import java.io.OutputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The core applies a batch itself only when the apply loop has nothing in hand (one client's write:
 * one thread hand-off less), and never overtakes a batch the loop is still applying: entries are
 * applied in log order, one writer at a time, whichever thread applies them.
 */
class ApplyLoopInlineTest {

    /** Records which thread applied which index; can hold the apply loop's thread inside an apply. */
    private static final class RecordingMachine extends NoStateMachine {
        final List<Long> order = new CopyOnWriteArrayList<>();
        final List<String> threads = new CopyOnWriteArrayList<>();
        final CountDownLatch entered = new CountDownLatch(1);
        volatile CountDownLatch hold = new CountDownLatch(0);
        volatile long holdAt = -1;
        volatile boolean inside;
        volatile boolean overlapped;

        @Override
        public ServerCore.Applied apply(Entry entry) {
            if (inside) overlapped = true;
            inside = true;
            try {
                if (entry.index() == holdAt) {
                    entered.countDown();
                    hold.await(10, TimeUnit.SECONDS);
                }
                order.add(entry.index());
                threads.add(Thread.currentThread().getName());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                inside = false;
            }
            return ServerCore.Applied.NONE;
        }
    }

    private static List<Entry> entries(long from, long to) {
        List<Entry> out = new java.util.ArrayList<>();
        for (long i = from; i <= to; i++) out.add(new Entry(1, i, EntryType.NORMAL, new byte[] {1}));
        return out;
    }

    private static ApplyLoop loop(RecordingMachine m) {
        return new ApplyLoop(m, 1, new ConcurrentHashMap<>(), 0, () -> { }, t -> { });
    }

    @Test
    void anIdleLoopLetsTheCoreApplyWithoutAHandOff() throws Exception {
        RecordingMachine m = new RecordingMachine();
        ApplyLoop loop = loop(m);
        loop.start();
        try {
            loop.enqueue(entries(1, 3), true);
            // applied before enqueue returned, on this thread
            assertEquals(3, loop.appliedIndex());
            assertEquals(List.of(1L, 2L, 3L), m.order);
            assertEquals(Thread.currentThread().getName(), m.threads.get(0));
            assertEquals(1, loop.appliedInline());

            loop.enqueue(entries(4, 5), false); // a busy core hands over
            loop.drain();
            assertEquals("vetcd-apply", m.threads.get(4));
            assertEquals(1, loop.appliedInline());
        } finally {
            loop.stop();
        }
    }

    @Test
    void theCoreNeverOvertakesABatchTheLoopIsApplying() throws Exception {
        RecordingMachine m = new RecordingMachine();
        m.hold = new CountDownLatch(1);
        m.holdAt = 2;
        ApplyLoop loop = loop(m);
        loop.start();
        try {
            loop.enqueue(entries(1, 2), false);
            assertTrue(m.entered.await(10, TimeUnit.SECONDS));
            // the loop's thread is inside entry 2: the core must hand this batch over, not apply it
            loop.enqueue(entries(3, 4), true);
            assertEquals(0, loop.appliedInline());
            m.hold.countDown();
            loop.drain();
            assertEquals(List.of(1L, 2L, 3L, 4L), m.order);
            assertTrue(!m.overlapped, "two threads applied at once");

            // drain returns once entry 4 is applied; the loop's thread lets go of the batch just after
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (loop.applyingNow() && System.nanoTime() < deadline) Thread.onSpinWait();
            loop.enqueue(entries(5, 5), true); // idle again: inline
            assertEquals(1, loop.appliedInline());
            assertEquals(List.of(1L, 2L, 3L, 4L, 5L), m.order);
        } finally {
            loop.stop();
        }
    }
}
