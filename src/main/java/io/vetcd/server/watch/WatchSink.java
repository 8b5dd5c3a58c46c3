package io.vetcd.server.watch;

import io.vertx.core.Future;
import io.vetcd.pb.etcdserver.WatchResponse;

/** Where a watch stream's responses go: a gRPC response stream or the JSON gateway's chunked body. */
public interface WatchSink {
    /** Queues one response after any encoded ones not yet flushed; fails once the client is gone. */
    Future<Void> write(WatchResponse r);

    /** The transport is holding as much as it should: stop feeding it until the drain handler runs. */
    boolean writeQueueFull();

    void drainHandler(Runnable onDrain);

    /** Whether {@link #writeEncoded} takes a response as protobuf bytes (a gRPC stream does, saving a re-encode per watcher). */
    default boolean takesEncoded() { return false; }

    /**
     * Queues one response given as its protobuf encoding. The sink may hold it to send several in
     * one transport write; {@link #flush} (or the next {@link #write}) sends what it holds.
     */
    default Future<Void> writeEncoded(byte[] response) {
        throw new UnsupportedOperationException();
    }

    /** Sends what {@link #writeEncoded} holds; fails once the client is gone. */
    default Future<Void> flush() { return Future.succeededFuture(); }
}
