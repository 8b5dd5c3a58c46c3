package io.vetcd.api;

import io.netty.buffer.Unpooled;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.internal.buffer.BufferInternal;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * Moves one big answer from a {@link ChunkSource} to an HTTP response (an HTTP/2 stream under a
 * gRPC call, or a chunked HTTP/1.1 body) in bounded memory: a worker fills fixed-size chunks, the
 * event loop writes them, and no more than {@link #WINDOW} bytes are ever produced but not yet on
 * the socket (write futures complete when they are). Chunk arrays are reused, so an answer of any
 * size makes almost no garbage. A client that stops reading for {@link #idleMillis} is reset, and
 * a client that goes away frees everything at once: the source is closed as soon as no worker uses
 * it.
 */
final class AnswerPump {
    static final int CHUNK = 64 * 1024;
    /** Bytes produced but not yet written to the socket, per answer. */
    static final int WINDOW = 8 * CHUNK;
    /** Chunks filled per worker hand-off. */
    private static final int CHUNKS_PER_TASK = 4;
    /** How long a client may read nothing before its answer is reset ({@code -Dvetcd.range.idleMillis}, default 60 s). */
    static long idleMillis() {
        return Long.getLong("vetcd.range.idleMillis", 60_000);
    }

    private final Vertx vertx;
    private final Context ctx;
    private final HttpServerResponse http;
    private final ChunkSource source;
    private final long idleMillis;
    private final Promise<Void> done = Promise.promise();
    private final ArrayDeque<byte[]> free = new ArrayDeque<>();
    private int chunksOut; // CHUNK-sized arrays handed out (producing or being written)
    private long unwritten;
    /** Bytes the source has produced so far (with its size hint: what is left to allocate for). */
    private long produced;
    private boolean producing;
    private boolean sourceDone;
    private boolean stopped;
    private boolean closed;
    private long lastProgress = System.nanoTime();
    private long timer = -1;

    AnswerPump(Vertx vertx, Context ctx, HttpServerResponse http, ChunkSource source, long idleMillis) {
        this.vertx = vertx;
        this.ctx = ctx;
        this.http = http;
        this.source = source;
        this.idleMillis = idleMillis;
    }

    /** Starts writing; completes when every byte is on the socket, fails if the answer was cut. */
    Future<Void> start() {
        timer = vertx.setPeriodic(Math.max(100, idleMillis / 4), t -> checkIdle());
        pump();
        return done.future();
    }

    /** The client went away (or the answer must stop): frees everything as soon as it can. */
    void stop(Throwable why) {
        if (stopped) {
            return;
        }
        stopped = true;
        cancelTimer();
        done.tryFail(why);
        closeIfIdle();
    }

    private void pump() {
        if (stopped || producing || sourceDone) {
            return;
        }
        int room = (WINDOW - (int) Math.min(unwritten, WINDOW)) / CHUNK;
        if (room < CHUNKS_PER_TASK / 2) {
            return; // wait for writes to complete
        }
        int n = Math.min(room, CHUNKS_PER_TASK);
        List<byte[]> arrays = new ArrayList<>(n);
        // Most answers are small (one key, a count): an array of their exact size, not 4 chunks.
        long hint = source.sizeHint();
        long left = hint == Long.MAX_VALUE ? Long.MAX_VALUE : Math.max(1, hint - produced);
        for (int i = 0; i < n && left > 0; i++) {
            if (left < CHUNK) {
                arrays.add(new byte[(int) left]); // not recycled (see recycle)
                break;
            }
            arrays.add(free.isEmpty() ? new byte[CHUNK] : free.poll());
            chunksOut++;
            left -= CHUNK;
        }
        producing = true;
        vertx.<List<Filled>>executeBlocking(() -> produce(arrays), false).onComplete(ar -> {
            // Still "producing" while writing: a write that completes at once calls pump(), which
            // must not start another worker on the source before this hand-off is over.
            if (ar.failed()) {
                arrays.forEach(this::recycle);
                producing = false;
                stop(ar.cause());
                return;
            }
            List<Filled> filled = ar.result();
            for (Filled f : filled) {
                produced += f.length;
            }
            for (byte[] a : arrays) {
                if (filled.stream().noneMatch(f -> f.array == a)) {
                    recycle(a);
                }
            }
            if (!stopped) {
                for (Filled f : filled) {
                    write(f);
                }
            } else {
                filled.forEach(f -> recycle(f.array));
            }
            producing = false;
            if (stopped) {
                closeIfIdle();
                return;
            }
            if (source.nextSize() == 0) {
                sourceDone = true;
                closeIfIdle();
                completeIfWritten();
            } else {
                pump();
            }
        });
    }

    private record Filled(byte[] array, int length) {
    }

    /** Worker: fills the given chunks in order; an item bigger than a chunk gets an array of its own. */
    private List<Filled> produce(List<byte[]> arrays) {
        List<Filled> out = new ArrayList<>(arrays.size());
        for (byte[] a : arrays) {
            int next = source.nextSize();
            if (next == 0) {
                break;
            }
            byte[] target = next > a.length ? new byte[next] : a;
            ByteBuffer bb = ByteBuffer.wrap(target);
            source.fill(bb);
            out.add(new Filled(target, bb.position()));
        }
        return out;
    }

    private void write(Filled f) {
        unwritten += f.length;
        Future<Void> w;
        try {
            w = http.write(BufferInternal.buffer(Unpooled.wrappedBuffer(f.array, 0, f.length)));
        } catch (IllegalStateException e) { // stream already reset or closed
            recycle(f.array);
            unwritten -= f.length;
            stop(e);
            return;
        }
        w.onComplete(ar -> {
            unwritten -= f.length;
            recycle(f.array);
            if (ar.failed()) {
                stop(ar.cause());
                return;
            }
            lastProgress = System.nanoTime();
            if (sourceDone) {
                completeIfWritten();
            } else {
                pump();
            }
        });
    }

    /**
     * The answer is done once every byte is on the socket: ending the call earlier let the end of
     * the stream overtake queued data (clients saw "unexpected EOF").
     */
    private void completeIfWritten() {
        if (sourceDone && unwritten == 0) {
            cancelTimer();
            done.tryComplete();
        }
    }

    private void recycle(byte[] a) {
        if (a.length == CHUNK) {
            chunksOut--;
            if (!stopped) {
                free.push(a);
            }
        }
    }

    /**
     * The idle timer holds this pump, and through it the response and its stream: it must go as
     * soon as the answer is over, not at its next tick (seconds later). Under load, answers kept
     * alive that way until their timers fired filled the heap with finished HTTP/2 streams.
     */
    private void cancelTimer() {
        if (timer != -1) {
            vertx.cancelTimer(timer);
            timer = -1;
        }
    }

    private void checkIdle() {
        if (sourceDone && unwritten == 0 || stopped) {
            cancelTimer();
            return;
        }
        if (unwritten > 0 && System.nanoTime() - lastProgress > idleMillis * 1_000_000L) {
            // The client stopped reading: what it holds of us is a pinned view and a window.
            stop(new IllegalStateException("client stopped reading the answer for " + idleMillis + " ms"));
            try {
                http.reset(8); // CANCEL
            } catch (RuntimeException ignored) {
                // already gone
            }
        }
    }

    private void closeIfIdle() {
        if (closed || producing) {
            return;
        }
        if (!stopped && !sourceDone) {
            return;
        }
        closed = true;
        free.clear();
        source.close();
    }

    /** Bytes handed to the transport and not yet on the socket. */
    long unwritten() {
        return unwritten;
    }

    Context context() {
        return ctx;
    }
}
