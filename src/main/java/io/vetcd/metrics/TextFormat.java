package io.vetcd.metrics;

import java.math.BigDecimal;

/**
 * Number and string rendering of the Prometheus text format exactly as Go's client_golang writes
 * it (expfmt), so scraped lines compare equal to etcd's: floats in Go's shortest {@code %g} form
 * ({@code 2}, {@code 0.001}, {@code 2.4576e+06}), {@code +Inf}, {@code NaN}.
 */
final class TextFormat {
    private TextFormat() { }

    static void appendDouble(StringBuilder out, double v) {
        if (Double.isNaN(v)) { out.append("NaN"); return; }
        if (Double.isInfinite(v)) { out.append(v > 0 ? "+Inf" : "-Inf"); return; }
        if (v == 0) { out.append('0'); return; }
        if (v == Math.rint(v) && Math.abs(v) < 1e6) { out.append((long) v); return; }
        BigDecimal d = new BigDecimal(Double.toString(v)).stripTrailingZeros();
        String digits = d.unscaledValue().abs().toString();
        int exp = digits.length() - 1 - d.scale(); // decimal exponent of the first digit
        if (v < 0) out.append('-');
        if (exp < -4 || exp >= 6) {
            // Go's %e: d.ddd e±XX, at least two exponent digits
            out.append(digits.charAt(0));
            if (digits.length() > 1) out.append('.').append(digits, 1, digits.length());
            out.append('e').append(exp < 0 ? '-' : '+');
            int a = Math.abs(exp);
            if (a < 10) out.append('0');
            out.append(a);
        } else {
            out.append(d.abs().toPlainString());
        }
    }

    static String formatDouble(double v) {
        StringBuilder b = new StringBuilder();
        appendDouble(b, v);
        return b.toString();
    }

    static void appendHelp(StringBuilder out, String help) {
        for (int i = 0; i < help.length(); i++) {
            char c = help.charAt(i);
            if (c == '\\') out.append("\\\\");
            else if (c == '\n') out.append("\\n");
            else out.append(c);
        }
    }

    static void appendLabelValue(StringBuilder out, String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\\') out.append("\\\\");
            else if (c == '"') out.append("\\\"");
            else if (c == '\n') out.append("\\n");
            else out.append(c);
        }
    }
}
