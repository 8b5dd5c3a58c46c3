package io.vetcd.server.concurrency;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The client side of a waiting request went away (gRPC reset, HTTP connection closed): etcd's
 * request context being canceled. Waits register a hook and drop it when they finish, so a long
 * chain of waits does not pile up hooks.
 */
public final class Cancellation {
    private final Map<Long, Runnable> hooks = new LinkedHashMap<>();
    private long nextId;
    private boolean cancelled;

    public synchronized boolean isCancelled() { return cancelled; }

    /** Runs every hook once; later calls do nothing. */
    public void cancel() {
        Runnable[] run;
        synchronized (this) {
            if (cancelled) return;
            cancelled = true;
            run = hooks.values().toArray(new Runnable[0]);
            hooks.clear();
        }
        for (Runnable r : run) r.run();
    }

    /** Runs {@code hook} on cancellation (now, if already cancelled); returns what unregisters it. */
    public Runnable onCancel(Runnable hook) {
        long id;
        synchronized (this) {
            if (!cancelled) {
                id = nextId++;
                hooks.put(id, hook);
                return () -> { synchronized (this) { hooks.remove(id); } };
            }
        }
        hook.run();
        return () -> { };
    }
}
