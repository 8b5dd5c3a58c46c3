package io.vetcd.e2e;

import io.vetcd.testing.Cli;
import io.vetcd.testing.ServerProcess;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * gRPC keepalive on a plaintext client port, real etcd 3.4 (grpc-go's server transport) against vetcd,
 * with a raw HTTP/2 client so every frame is visible: a client pinging faster than
 * {@code --grpc-keepalive-min-time} gets GOAWAY ENHANCE_YOUR_CALM "too_many_pings" after the same
 * number of pings; a client that stops answering gets the server's PING after
 * {@code --grpc-keepalive-interval} and is closed after {@code --grpc-keepalive-timeout}.
 */
class GrpcKeepaliveDifferentialTest {
    static final byte DATA = 0, SETTINGS = 4, PING = 6, GOAWAY = 7;

    record Frame(long atMs, int type, int flags, byte[] payload) {
        String goAwayDebug() { return new String(payload, 8, payload.length - 8, StandardCharsets.US_ASCII); }
        int goAwayCode() { return ((payload[4] & 0xff) << 24) | ((payload[5] & 0xff) << 16) | ((payload[6] & 0xff) << 8) | (payload[7] & 0xff); }
    }

    /** What one connection saw: every frame read, and when the server closed it (-1: never). */
    record Seen(List<Frame> frames, long closedAtMs) {
        long pingAcks() { return frames.stream().filter(f -> f.type == PING && (f.flags & 1) == 1).count(); }
        Frame goAway() { return frames.stream().filter(f -> f.type == GOAWAY).findFirst().orElse(null); }
        Frame serverPing() { return frames.stream().filter(f -> f.type == PING && (f.flags & 1) == 0).findFirst().orElse(null); }
        /** When the server's SETTINGS arrived: from then on it is serving this connection (a cold member may take a while). */
        long settingsAtMs() { return frames.stream().filter(f -> f.type == SETTINGS && (f.flags & 1) == 0).mapToLong(Frame::atMs).findFirst().orElse(0); }
        long pingAfterSettingsMs() { return serverPing().atMs() - settingsAtMs(); }
        long closedAfterSettingsMs() { return closedAtMs - settingsAtMs(); }
    }

    @Test
    void tooManyPingsGetGoAwayAsFromEtcd() throws Exception {
        Assumptions.assumeTrue(Cli.available("etcd"), "etcd-server is installed");
        Seen etcd;
        Seen vetcd;
        try (ServerProcess p = ServerProcess.realEtcd()) {
            etcd = pingFlood(p.clientPort);
        }
        try (ServerProcess p = ServerProcess.vetcd()) {
            vetcd = pingFlood(p.clientPort);
        }
        System.out.printf("ping flood: etcd acks %d goaway %s; vetcd acks %d goaway %s%n", etcd.pingAcks(), describe(etcd.goAway()),
            vetcd.pingAcks(), describe(vetcd.goAway()));
        assertTrue(etcd.goAway() != null, "etcd sent GOAWAY");
        assertTrue(vetcd.goAway() != null, "vetcd sent GOAWAY");
        assertEquals(etcd.goAway().goAwayCode(), vetcd.goAway().goAwayCode(), "GOAWAY error code");
        assertEquals(etcd.goAway().goAwayDebug(), vetcd.goAway().goAwayDebug(), "GOAWAY debug data");
        assertEquals(etcd.pingAcks(), vetcd.pingAcks(), "pings answered before the GOAWAY");
        assertTrue(etcd.closedAtMs() >= 0 && vetcd.closedAtMs() >= 0, "both closed the connection");
    }

    @Test
    void pingsNoFasterThanMinTimeOnAnOpenStreamAreFineAsOnEtcd() throws Exception {
        Assumptions.assumeTrue(Cli.available("etcd"), "etcd-server is installed");
        Seen etcd;
        Seen vetcd;
        try (ServerProcess p = ServerProcess.realEtcd("--grpc-keepalive-min-time", "200ms")) {
            etcd = pings(p.clientPort, 6, 300, true);
        }
        try (ServerProcess p = ServerProcess.vetcd("--grpc-keepalive-min-time", "200ms")) {
            vetcd = pings(p.clientPort, 6, 300, true);
        }
        System.out.printf("polite pings on a watch stream: etcd acks %d goaway %s; vetcd acks %d goaway %s%n", etcd.pingAcks(),
            describe(etcd.goAway()), vetcd.pingAcks(), describe(vetcd.goAway()));
        assertEquals(6, etcd.pingAcks());
        assertEquals(null, etcd.goAway());
        assertEquals(6, vetcd.pingAcks());
        assertEquals(null, vetcd.goAway());
    }

    @Test
    void silentClientIsPingedThenClosedAsByEtcd() throws Exception {
        Assumptions.assumeTrue(Cli.available("etcd"), "etcd-server is installed");
        String[] flags = {"--grpc-keepalive-interval", "1s", "--grpc-keepalive-timeout", "1s"};
        Seen etcd;
        Seen vetcd;
        try (ServerProcess p = ServerProcess.realEtcd(flags)) {
            etcd = silent(p.clientPort);
        }
        try (ServerProcess p = ServerProcess.vetcd(flags)) {
            vetcd = silent(p.clientPort);
        }
        System.out.printf("silent client: etcd settings at %d ms, ping at %s ms, closed at %d ms; vetcd settings at %d ms, ping at %s ms, closed at %d ms%n",
            etcd.settingsAtMs(), etcd.serverPing() == null ? "-" : etcd.serverPing().atMs(), etcd.closedAtMs(),
            vetcd.settingsAtMs(), vetcd.serverPing() == null ? "-" : vetcd.serverPing().atMs(), vetcd.closedAtMs());
        for (Seen s : List.of(etcd, vetcd)) {
            assertTrue(s.serverPing() != null, "the server pinged");
            assertTrue(s.pingAfterSettingsMs() >= 900 && s.pingAfterSettingsMs() < 2500, "ping after about the interval: " + s.pingAfterSettingsMs());
            assertTrue(s.closedAfterSettingsMs() >= 1800 && s.closedAfterSettingsMs() < 4500, "closed after interval + timeout: " + s.closedAfterSettingsMs());
        }
    }

    static String describe(Frame goAway) {
        return goAway == null ? "none" : "code " + goAway.goAwayCode() + " \"" + goAway.goAwayDebug() + "\"";
    }

    static Seen pingFlood(int port) throws Exception {
        return pings(port, 10, 50, false);
    }

    /** Sends {@code n} PINGs {@code gapMs} apart, on an idle connection or beside an open Watch stream. */
    static Seen pings(int port, int n, long gapMs, boolean openStream) throws Exception {
        try (Socket s = new Socket("127.0.0.1", port)) {
            Reader r = handshake(s);
            OutputStream out = s.getOutputStream();
            // the server's SETTINGS first: a member just started on a loaded machine may take seconds to answer
            await(() -> r.frames.stream().anyMatch(f -> f.type == SETTINGS) || r.closedAtMs >= 0, 15_000);
            if (openStream) {
                frame(out, 1, 0x4, 1, literalHeaders(":method", "POST", ":scheme", "http", ":path", "/etcdserverpb.Watch/Watch",
                    ":authority", "127.0.0.1", "content-type", "application/grpc", "te", "trailers"));
                Thread.sleep(300);
            }
            for (int i = 0; i < n && r.closedAtMs < 0; i++) {
                try {
                    frame(out, PING, 0, 0, new byte[]{0, 0, 0, 0, 0, 0, 0, (byte) (i + 1)});
                } catch (IOException closed) {
                    break;
                }
                Thread.sleep(gapMs);
            }
            // until every ping is answered or the server closes the connection (a GOAWAY is followed by the close)
            int sent = n;
            await(() -> r.closedAtMs >= 0 || new Seen(List.copyOf(r.frames), -1).pingAcks() >= sent, 15_000);
            r.thread.join(200); // a frame or close right behind the last ack
            return new Seen(List.copyOf(r.frames), r.closedAtMs);
        }
    }

    static void await(java.util.function.BooleanSupplier condition, long maxMs) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(maxMs);
        while (!condition.getAsBoolean() && System.nanoTime() < deadline) Thread.sleep(10);
    }

    /** Handshakes, then sends nothing more and waits for the server to close (at most 8 s). */
    static Seen silent(int port) throws Exception {
        try (Socket s = new Socket("127.0.0.1", port)) {
            Reader r = handshake(s);
            r.thread.join(8000);
            return new Seen(List.copyOf(r.frames), r.closedAtMs);
        }
    }

    static final class Reader {
        final List<Frame> frames = new CopyOnWriteArrayList<>();
        volatile long closedAtMs = -1;
        Thread thread;
    }

    /** Client preface and SETTINGS; the server's SETTINGS is acknowledged; frames are read from then on. */
    static Reader handshake(Socket s) throws IOException {
        OutputStream out = s.getOutputStream();
        out.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        frame(out, SETTINGS, 0, 0, new byte[0]);
        long start = System.nanoTime();
        Reader r = new Reader();
        DataInputStream in = new DataInputStream(s.getInputStream());
        r.thread = new Thread(() -> {
            try {
                while (true) {
                    int len = (in.readUnsignedByte() << 16) | (in.readUnsignedByte() << 8) | in.readUnsignedByte();
                    int type = in.readUnsignedByte();
                    int flags = in.readUnsignedByte();
                    in.readInt();
                    byte[] payload = new byte[len];
                    in.readFully(payload);
                    long at = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                    r.frames.add(new Frame(at, type, flags, payload));
                    if (type == SETTINGS && (flags & 1) == 0) {
                        synchronized (out) {
                            frame(out, SETTINGS, 1, 0, new byte[0]);
                        }
                    }
                }
            } catch (EOFException | java.net.SocketException eof) {
                r.closedAtMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            } catch (IOException e) {
                r.closedAtMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            }
        });
        r.thread.setDaemon(true);
        r.thread.start();
        return r;
    }

    static void frame(OutputStream out, int type, int flags, int stream, byte[] payload) throws IOException {
        byte[] h = {(byte) (payload.length >> 16), (byte) (payload.length >> 8), (byte) payload.length, (byte) type, (byte) flags,
            (byte) (stream >> 24), (byte) (stream >> 16), (byte) (stream >> 8), (byte) stream};
        synchronized (out) {
            out.write(h);
            out.write(payload);
            out.flush();
        }
    }

    /** HPACK literal header fields without indexing, new names, no Huffman (all strings shorter than 127 bytes). */
    static byte[] literalHeaders(String... nameValues) {
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < nameValues.length; i += 2) {
            b.write(0);
            for (String str : new String[]{nameValues[i], nameValues[i + 1]}) {
                byte[] bytes = str.getBytes(StandardCharsets.US_ASCII);
                b.write(bytes.length);
                b.write(bytes, 0, bytes.length);
            }
        }
        return b.toByteArray();
    }

    static List<String> types(Seen s) {
        List<String> out = new ArrayList<>();
        for (Frame f : s.frames()) out.add(f.type + "/" + f.flags + "@" + f.atMs);
        return out;
    }
}
