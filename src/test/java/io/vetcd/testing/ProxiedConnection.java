package io.vetcd.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One peer TCP connection through {@link PeerNetwork}: member {@code dialer} connected to member
 * {@code listener}'s advertised peer port, and we connected on to its real one. Bytes flow in
 * both directions, each direction governed by its own link (dialer->listener for requests,
 * listener->dialer for responses and raft stream frames). A cut link's bytes are discarded, not
 * held: the connection is then "tainted" (its HTTP framing has a hole) and is closed when the
 * link heals, so no member ever reads a stream with bytes missing from its middle. Latency is
 * applied per chunk, in order, by a writer thread per direction, so it delays bytes without
 * limiting throughput.
 */
final class ProxiedConnection {
    private static final long IDLE_POLL_MS = 200;

    final int dialer;
    final int listener;
    private final Socket fromDialer;
    private final Socket toListener;
    private final PeerNetwork network;
    private volatile boolean tainted;
    private volatile boolean closed;
    private int directionsDone;

    ProxiedConnection(int dialer, int listener, Socket fromDialer, Socket toListener, PeerNetwork network) {
        this.dialer = dialer;
        this.listener = listener;
        this.fromDialer = fromDialer;
        this.toListener = toListener;
        this.network = network;
    }

    void start() throws IOException {
        direction(dialer, listener, fromDialer.getInputStream(), toListener, "m" + (dialer + 1) + ">m" + (listener + 1));
        direction(listener, dialer, toListener.getInputStream(), fromDialer, "m" + (listener + 1) + ">m" + (dialer + 1) + "(resp)");
    }

    boolean tainted() {
        return tainted;
    }

    boolean between(int a, int b) {
        return dialer == a && listener == b || dialer == b && listener == a;
    }

    void close() {
        closed = true;
        closeQuietly(fromDialer);
        closeQuietly(toListener);
        network.forget(this);
    }

    private record Chunk(byte[] bytes, int length, long dueNanos) {}

    private static final Chunk END = new Chunk(new byte[0], -1, 0);

    /** A reader thread (applies cuts, stamps latency) and a writer thread (waits out the latency, writes). */
    private void direction(int from, int to, InputStream in, Socket out, String name) {
        LinkedBlockingQueue<Chunk> queue = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {
            long lastDue = 0;
            try {
                byte[] buf = new byte[64 * 1024];
                int n;
                while ((n = in.read(buf)) >= 0) {
                    if (network.cut(from, to)) {
                        tainted = true;
                        continue;
                    }
                    // FIFO: a chunk never overtakes an earlier one even if the latency shrank meanwhile
                    long due = Math.max(lastDue, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(network.delayMs(from, to)));
                    lastDue = due;
                    queue.add(new Chunk(java.util.Arrays.copyOf(buf, n), n, due));
                }
            } catch (IOException e) {
                // closed by us or by an end: the writer finishes what it has
            }
            queue.add(END);
        }, "proxy-r " + name);
        Thread writer = new Thread(() -> {
            try {
                OutputStream os = out.getOutputStream();
                while (!closed) {
                    Chunk c = queue.poll(IDLE_POLL_MS, TimeUnit.MILLISECONDS);
                    if (c == null) continue;
                    if (c == END) {
                        out.shutdownOutput(); // pass the half-close on, as TCP would
                        break;
                    }
                    long wait = c.dueNanos - System.nanoTime();
                    if (wait > 0) TimeUnit.NANOSECONDS.sleep(wait);
                    if (network.cut(from, to)) { // cut while in flight: lost like the rest
                        tainted = true;
                        continue;
                    }
                    os.write(c.bytes, 0, c.length);
                    os.flush();
                }
            } catch (IOException | InterruptedException e) {
                close();
            }
            directionDone();
        }, "proxy-w " + name);
        reader.setDaemon(true);
        writer.setDaemon(true);
        reader.start();
        writer.start();
    }

    private synchronized void directionDone() {
        if (++directionsDone == 2) close();
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // already closed
        }
    }
}
