package io.vetcd.server;

import io.vertx.core.Promise;

import java.util.function.Consumer;

/**
 * How the server simulation ({@code io.vetcd.server.sim}) proposes: the same {@link Proposal} the
 * server builds, but settled on the caller's thread (no Vert.x context), so the outcome is known
 * at a deterministic point of the simulated schedule.
 */
public final class SimulatedProposals {
    private SimulatedProposals() { }

    /** Submits an encoded raft entry under {@code requestId}; {@code done} gets the applied result or the failure. */
    public static void submit(ServerCore core, long requestId, byte[] data, Consumer<Object> done) {
        Promise<Object> promise = Promise.promise();
        promise.future().onComplete(ar -> done.accept(ar.succeeded() ? ar.result() : ar.cause()));
        core.submit(new Proposal(requestId, data, promise, null));
    }
}
