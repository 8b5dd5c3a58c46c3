package io.vetcd.transport;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * One blocking HTTP/1.0 GET over a Unix domain socket, for start-up only (the JDK's HttpClient
 * cannot dial one): how a member joining with {@code --initial-cluster-state existing} reads a
 * {@code unix://} peer's {@code /members}. HTTP/1.0, so the answer ends with the connection.
 */
final class UnixHttpGet {
    record Response(int status, Map<String, String> headers, String body) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    private UnixHttpGet() {}

    static Response get(URI url, String path, Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(PeerUrls.socketPath(url)))) {
            String req = "GET " + path + " HTTP/1.0\r\nHost: " + url.getRawAuthority() + "\r\n\r\n";
            ch.write(ByteBuffer.wrap(req.getBytes(StandardCharsets.US_ASCII)));
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            ByteBuffer buf = ByteBuffer.allocate(8192);
            while (ch.read(buf) >= 0) {
                if (System.nanoTime() > deadline) throw new IOException("no complete answer within " + timeout);
                all.write(buf.array(), 0, buf.position());
                buf.clear();
            }
            String text = all.toString(StandardCharsets.UTF_8);
            int end = text.indexOf("\r\n\r\n");
            if (end < 0) throw new IOException("malformed HTTP answer");
            String[] lines = text.substring(0, end).split("\r\n");
            String[] statusLine = lines[0].split(" ", 3);
            if (statusLine.length < 2) throw new IOException("malformed status line: " + lines[0]);
            Map<String, String> headers = new TreeMap<>();
            for (int i = 1; i < lines.length; i++) {
                int c = lines[i].indexOf(':');
                if (c > 0) headers.put(lines[i].substring(0, c).trim().toLowerCase(Locale.ROOT), lines[i].substring(c + 1).trim());
            }
            return new Response(Integer.parseInt(statusLine[1]), headers, text.substring(end + 4));
        }
    }
}
