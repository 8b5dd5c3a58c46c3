package io.vetcd.api;

import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** {@link GrpcTimeoutHeader} accepts exactly the grpc-timeout values Vert.x's regular expression did, kept in nanoseconds. */
class GrpcTimeoutHeaderTest {
    /** Vert.x 5.0.7's GrpcServerRequestImpl.parseTimeout, the reading this replaces (in nanoseconds; -1 where it found none). */
    private static long vertx(String timeout) {
        Matcher m = Pattern.compile("([0-9]{1,8})([HMSmun])").matcher(timeout);
        if (!m.matches()) return -1;
        Map<String, TimeUnit> units = Map.of("H", TimeUnit.HOURS, "M", TimeUnit.MINUTES, "S", TimeUnit.SECONDS,
            "m", TimeUnit.MILLISECONDS, "u", TimeUnit.MICROSECONDS, "n", TimeUnit.NANOSECONDS);
        return units.get(m.group(2)).toNanos(Long.parseLong(m.group(1)));
    }

    @Test
    void sameAsVertx() {
        String[] cases = {"1S", "5S", "30S", "29999870u", "999u", "1000u", "99999999n", "1m", "0m", "99999999m", "99999999H",
            "2M", "1H", "", "S", "123", "123x", "123456789S", "12345678S", "-1S", "1.5S", " 1S", "1S ", "1s", "١S", "00000001m"};
        for (String c : cases) assertEquals(vertx(c), GrpcTimeoutHeader.nanos(c), c);
        java.util.Random r = new java.util.Random(18);
        String alphabet = "0123456789HMSmunx";
        for (int i = 0; i < 20_000; i++) {
            StringBuilder b = new StringBuilder();
            for (int n = r.nextInt(11); n > 0; n--) b.append(alphabet.charAt(r.nextInt(alphabet.length())));
            assertEquals(vertx(b.toString()), GrpcTimeoutHeader.nanos(b.toString()), b.toString());
        }
    }
}
