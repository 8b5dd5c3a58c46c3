package io.vetcd.server;

import io.vertx.core.Context;
import io.vertx.core.Promise;

/**
 * A request waiting to be proposed: its encoded raft entry and the promise its
 * caller waits on, completed on the caller's context once the entry is applied.
 */
record Proposal(long id, byte[] data, Promise<Object> promise, Context context) implements CoreInput {
    void complete(Object result) {
        if (context == null) {
            settle(result);
        } else {
            context.runOnContext(v -> settle(result));
        }
    }

    /** Completes the promise here and now (on the caller's context). */
    void settle(Object result) {
        if (result instanceof Throwable t) promise.tryFail(t);
        else promise.tryComplete(result);
    }
}
