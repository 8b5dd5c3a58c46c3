package io.vetcd.auth;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Go's time.ParseDuration for the values etcd's flags take ("1s", "300ms", "1h30m", "1.5h"). */
final class GoDuration {
    private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d*)?|\\.\\d+)(ns|us|µs|ms|s|m|h)");

    private GoDuration() {}

    static long millis(String s) {
        String t = s.trim();
        if (t.equals("0")) return 0;
        Matcher m = PART.matcher(t);
        double nanos = 0;
        int pos = 0;
        while (pos < t.length() && m.find(pos) && m.start() == pos) {
            double v = Double.parseDouble(m.group(1));
            nanos += v * switch (m.group(2)) {
                case "ns" -> 1d;
                case "us", "µs" -> 1e3;
                case "ms" -> 1e6;
                case "s" -> 1e9;
                case "m" -> 60e9;
                default -> 3600e9;
            };
            pos = m.end();
        }
        if (pos != t.length() || t.isEmpty()) throw new IllegalArgumentException("time: invalid duration \"" + s + "\"");
        return (long) (nanos / 1e6);
    }
}
