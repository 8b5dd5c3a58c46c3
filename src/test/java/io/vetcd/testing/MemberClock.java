package io.vetcd.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A vetcd member's wall clock, moved by hand with Debian's libfaketime: the member's JVM runs with
 * libfaketime preloaded, reading its offset from a file that {@link #jump} rewrites (re-read at
 * most a second later, FAKETIME_CACHE_DURATION=1).
 *
 * <p>Only the wall clock (CLOCK_REALTIME) is faked; CLOCK_MONOTONIC, behind System.nanoTime, is
 * left alone (FAKETIME_DONT_FAKE_MONOTONIC=1). That is what a real clock step does: NTP or an
 * operator's {@code date -s} steps the wall clock, while the kernel never steps the monotonic clock
 * backwards or forwards. A forward jump of the monotonic clock would look to the member exactly
 * like being paused for that long, which the PAUSE faults already do. Real etcd (a Go binary
 * reading the clock through the vDSO, not libc) cannot be faked this way, so only vetcd members
 * get a clock of their own.
 *
 * <p>Two settings keep the JVM usable (measured here, 2M calls each): the multi-threaded variant
 * libfaketimeMT took 54 us per {@code System.currentTimeMillis()} (a member did not become ready in
 * 90 s), the plain libfaketime.so.1 0.3 us; and libfaketime's "monotonic fix" for
 * {@code pthread_cond_timedwait} (on by default with this glibc) made the JVM's 1 ms timed waits
 * return after 0.1 ms, so it is turned off (FAKETIME_FORCE_MONOTONIC_FIX=0): with the monotonic
 * clock not faked, the JVM's timed waits need no fixing.
 *
 * <p>{@link #observedOffset} checks the jump reached the JVM: it reads the member's wall clock from
 * etcd's prober endpoint ({@code /raft/probing} on the peer port answers {@code "Now"}).
 */
public final class MemberClock {
    public static final Path LIBFAKETIME = Path.of("/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1");
    private static final Pattern NOW = Pattern.compile("\"Now\"\\s*:\\s*\"([^\"]+)\"");

    private final Path file;
    private final int peerPort;
    private volatile long offsetSeconds;

    private MemberClock(Path file, int peerPort) {
        this.file = file;
        this.peerPort = peerPort;
    }

    public static boolean available() {
        return Files.isReadable(LIBFAKETIME);
    }

    /** Gives {@code member} a clock of its own (takes effect at its next start). */
    public static MemberClock attach(ProcessCluster.Member member, Path file) throws IOException {
        MemberClock c = new MemberClock(file, member.peerPort);
        c.write(0);
        member.environment.putAll(Map.of(
            "LD_PRELOAD", LIBFAKETIME.toString(),
            "FAKETIME_TIMESTAMP_FILE", file.toString(),
            "FAKETIME_CACHE_DURATION", "1",
            "FAKETIME_DONT_FAKE_MONOTONIC", "1",
            "FAKETIME_FORCE_MONOTONIC_FIX", "0"));
        return c;
    }

    /** Sets the member's wall clock to real time plus {@code seconds} (negative: back in time). */
    public void jump(long seconds) throws IOException {
        write(seconds);
    }

    public long offsetSeconds() {
        return offsetSeconds;
    }

    private void write(long seconds) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, (seconds >= 0 ? "+" : "") + seconds + "s\n");
        Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        offsetSeconds = seconds;
    }

    /** The member's wall clock minus ours, in seconds, as its prober endpoint reports it; null if it did not answer. */
    public Double observedOffset() {
        try {
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
            Instant before = Instant.now();
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + peerPort + "/raft/probing"))
                .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
            Instant after = Instant.now();
            Matcher m = NOW.matcher(r.body());
            if (!m.find()) return null;
            Instant theirs = Instant.parse(m.group(1));
            Instant ours = before.plus(Duration.between(before, after).dividedBy(2));
            return Duration.between(ours, theirs).toMillis() / 1000.0;
        } catch (IOException | RuntimeException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** Waits until the member's clock shows the last jump (within 2 s); false if it did not within {@code ms}. */
    public boolean awaitOffset(long ms) throws InterruptedException {
        long end = System.nanoTime() + ms * 1_000_000L;
        while (System.nanoTime() < end) {
            Double seen = observedOffset();
            if (seen != null && Math.abs(seen - offsetSeconds) < 2.0) return true;
            Thread.sleep(200);
        }
        return false;
    }
}
