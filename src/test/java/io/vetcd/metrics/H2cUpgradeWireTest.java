package io.vetcd.metrics;

import io.vetcd.testing.InJvmMember;
import io.vetcd.testing.Ports;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The plain-HTTP upgrade to HTTP/2 ({@code Upgrade: h2c}) on the wire, as the JDK's HttpClient and
 * {@code curl --http2} do it: the member answers 101 and its SETTINGS, and sends the answer to the
 * upgraded request (stream 1) only once the client's connection preface has arrived. Before, the
 * answer followed the 101 at once, up to a 64 KiB flow-control window of it, where the client still
 * reads HTTP/1.1 (curl 7.88 gave up on more than 32 KiB there; the JDK client sometimes lost bytes
 * of it and read page text as frame headers).
 */
class H2cUpgradeWireTest {
    private static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final int DATA = 0, HEADERS = 1, SETTINGS = 4, GOAWAY = 7, WINDOW_UPDATE = 8;
    private static final int END_STREAM = 0x1;

    private static InJvmMember member;
    private static int metricsPort;

    @BeforeAll
    static void start() throws Exception {
        metricsPort = Ports.free();
        member = InJvmMember.start("--listen-metrics-urls", "http://127.0.0.1:" + metricsPort);
    }

    @AfterAll
    static void stop() {
        if (member != null) member.close();
    }

    @Test
    void versionIsAnsweredAfterTheClientPreface() throws Exception {
        assertTrue(upgrade(member.clientPort, "/version").contains("\"etcdserver\""));
    }

    @Test
    void metricsPageIsAnsweredAfterTheClientPreface() throws Exception {
        assertTrue(upgrade(member.clientPort, "/metrics").contains("etcd_server_has_leader"));
    }

    @Test
    void healthIsAnsweredAfterTheClientPreface() throws Exception {
        assertTrue(upgrade(member.clientPort, "/health").contains("\"health\":\"true\""));
    }

    @Test
    void metricsListenerToo() throws Exception {
        assertTrue(upgrade(metricsPort, "/metrics").contains("etcd_server_has_leader"));
    }

    /**
     * curl --http2 (7.88) behind a link that delays the member's first bytes by 300 ms, as a loaded client
     * or network does: curl reads the 101 together with whatever followed it, and refuses more than 32 KiB
     * there. Before the hold, a /metrics page's first 64 KiB window followed the 101: "101", no body, exit 16.
     */
    @Test
    void curlUpgradeBehindASlowLink() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(io.vetcd.testing.Cli.available("curl"), "curl is installed");
        try (java.net.ServerSocket relay = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            Thread acceptor = new Thread(() -> relayOnce(relay, member.clientPort, 300), "slow-link");
            acceptor.setDaemon(true);
            acceptor.start();
            var r = io.vetcd.testing.Cli.run(List.of("curl", "-s", "--http2", "-m", "30", "-o", "/dev/null",
                "-w", "%{http_version} %{http_code} %{size_download}", "http://127.0.0.1:" + relay.getLocalPort() + "/metrics"));
            assertEquals(0, r.exitCode(), "curl: " + r.output());
            String[] w = r.output().trim().split(" ");
            assertEquals("2", w[0], r.output());
            assertEquals("200", w[1], r.output());
            assertTrue(Long.parseLong(w[2]) > 10_000, r.output());
        }
    }

    /** Relays one connection; the member's bytes are held for delayMs after the first arrives, then sent together. */
    private static void relayOnce(java.net.ServerSocket relay, int port, long delayMs) {
        try (Socket c = relay.accept(); Socket s = new Socket("127.0.0.1", port)) {
            Thread up = new Thread(() -> copy(c, s, 0), "slow-link-up");
            up.setDaemon(true);
            up.start();
            copy(s, c, delayMs);
        } catch (IOException e) {
            // the test sees what curl saw
        }
    }

    private static void copy(Socket from, Socket to, long firstDelayMs) {
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            byte[] buf = new byte[1 << 20];
            boolean first = true;
            for (int n; (n = in.read(buf)) > 0; ) {
                if (first && firstDelayMs > 0) {
                    first = false;
                    Thread.sleep(firstDelayMs);
                    while (in.available() > 0 && n < buf.length) n += in.read(buf, n, Math.min(in.available(), buf.length - n));
                }
                out.write(buf, 0, n);
                out.flush();
            }
            to.shutdownOutput();
        } catch (IOException | InterruptedException e) {
            // connection ended
        }
    }

    /** One upgrade of a GET; returns the body of stream 1 after checking nothing of it came before our preface. */
    private static String upgrade(int port, String path) throws IOException, InterruptedException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(20_000);
            OutputStream out = s.getOutputStream();
            DataInputStream in = new DataInputStream(s.getInputStream());
            // HTTP2-Settings: ENABLE_PUSH 0, INITIAL_WINDOW_SIZE 1 MiB (base64url of the SETTINGS payload)
            out.write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n"
                + "Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAIAAAAAAAQAEAAA\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String head = readHead(in);
            assertTrue(head.startsWith("HTTP/1.1 101"), head);

            // a client slow to read the 101: whatever the member sends meanwhile must not be stream 1's answer
            Thread.sleep(1500);
            s.setSoTimeout(300);
            ByteArrayOutputStream early = new ByteArrayOutputStream();
            byte[] buf = new byte[65536];
            try {
                for (int n; (n = in.read(buf)) > 0; ) early.write(buf, 0, n);
            } catch (SocketTimeoutException quiet) {
                // nothing more for now
            }
            List<int[]> earlyFrames = frameTypes(early.toByteArray());
            for (int[] f : earlyFrames) {
                assertEquals(SETTINGS, f[0], "only SETTINGS may follow the 101 before the client preface, got frames "
                    + describe(earlyFrames) + " (" + early.size() + " bytes)");
            }

            out.write(PREFACE);
            out.write(new byte[] {0, 0, 0, SETTINGS, 0, 0, 0, 0, 0}); // empty SETTINGS
            out.write(new byte[] {0, 0, 4, WINDOW_UPDATE, 0, 0, 0, 0, 0, 0x00, 0x7f, 0, 0}); // connection window +8 MiB
            out.flush();
            s.setSoTimeout(20_000);
            // the early bytes were whole frames (checked above); the answer follows as frames
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            while (true) {
                int len = in.readUnsignedByte() << 16 | in.readUnsignedByte() << 8 | in.readUnsignedByte();
                int type = in.readUnsignedByte();
                int flags = in.readUnsignedByte();
                int stream = in.readInt() & 0x7fffffff;
                byte[] payload = new byte[len];
                in.readFully(payload);
                assertTrue(type != GOAWAY, "GOAWAY from the member");
                if (stream == 1 && type == DATA) body.write(payload);
                if (stream == 1 && (type == DATA || type == HEADERS) && (flags & END_STREAM) != 0) break;
            }
            return body.toString(StandardCharsets.UTF_8);
        }
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) throw new IOException("closed in the response head: " + head);
            head.write(b);
            matched = (b == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        return head.toString(StandardCharsets.US_ASCII);
    }

    /** {type, stream} of each whole frame in {@code bytes}. */
    private static List<int[]> frameTypes(byte[] bytes) {
        List<int[]> frames = new ArrayList<>();
        int i = 0;
        while (i + 9 <= bytes.length) {
            int len = (bytes[i] & 0xff) << 16 | (bytes[i + 1] & 0xff) << 8 | (bytes[i + 2] & 0xff);
            int stream = ((bytes[i + 5] & 0x7f) << 24) | (bytes[i + 6] & 0xff) << 16 | (bytes[i + 7] & 0xff) << 8 | (bytes[i + 8] & 0xff);
            frames.add(new int[] {bytes[i + 3] & 0xff, stream});
            i += 9 + len;
        }
        if (i != bytes.length) frames.add(new int[] {-1, -1}); // ends in the middle of a frame
        return frames;
    }

    private static String describe(List<int[]> frames) {
        StringBuilder sb = new StringBuilder();
        for (int[] f : frames) sb.append(sb.length() == 0 ? "" : ",").append("type ").append(f[0]).append("/stream ").append(f[1]);
        return sb.toString();
    }
}
