package io.vetcd.metrics;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * One metric name with its HELP, TYPE and label names, and one child (a {@link Counter},
 * {@link Gauge} or {@link Histogram}) per combination of label values. Callers on hot paths bind
 * a child once ({@link #labels}) and keep it, so an event costs one striped increment.
 */
public final class MetricFamily<T> {
    public enum Type { COUNTER, GAUGE, HISTOGRAM }

    private final String name;
    private final String help;
    private final Type type;
    private final String[] labelNames;
    /** Positions of the label names in alphabetical order: client_golang writes labels sorted by name. */
    private final int[] sortedLabelOrder;
    private final Supplier<T> factory;
    private final Map<List<String>, T> children = new ConcurrentHashMap<>();

    MetricFamily(String name, String help, Type type, String[] labelNames, Supplier<T> factory) {
        this.name = name;
        this.help = help;
        this.type = type;
        this.labelNames = labelNames.clone();
        this.factory = factory;
        Integer[] order = new Integer[labelNames.length];
        for (int i = 0; i < order.length; i++) order[i] = i;
        Arrays.sort(order, Comparator.comparing(i -> labelNames[i]));
        this.sortedLabelOrder = Arrays.stream(order).mapToInt(Integer::intValue).toArray();
    }

    public String name() { return name; }

    public Type type() { return type; }

    /** The child for these label values (in the order the label names were declared), created on first use. */
    public T labels(String... values) {
        if (values.length != labelNames.length) {
            throw new IllegalArgumentException(name + " has labels " + Arrays.toString(labelNames));
        }
        return children.computeIfAbsent(List.of(values), v -> factory.get());
    }

    /** Forgets a child (e.g. a peer removed from the cluster). */
    public void remove(String... values) {
        children.remove(List.of(values));
    }

    void render(StringBuilder out) {
        if (children.isEmpty()) return; // as client_golang: a vector without children is not written
        out.append("# HELP ").append(name).append(' ');
        TextFormat.appendHelp(out, help);
        out.append('\n').append("# TYPE ").append(name).append(' ').append(type.name().toLowerCase()).append('\n');
        List<Map.Entry<List<String>, T>> sorted = new ArrayList<>(children.entrySet());
        sorted.sort((a, b) -> compareLabelValues(a.getKey(), b.getKey()));
        for (Map.Entry<List<String>, T> e : sorted) {
            List<String> values = e.getKey();
            T child = e.getValue();
            if (child instanceof Counter c) {
                sample(out, name, values, null, c.get());
            } else if (child instanceof Gauge g) {
                sample(out, name, values, null, g.get());
            } else if (child instanceof Histogram h) {
                double[] bounds = h.upperBounds();
                long[] cumulative = h.cumulativeCounts();
                for (int i = 0; i < bounds.length; i++) {
                    sample(out, name + "_bucket", values, TextFormat.formatDouble(bounds[i]), cumulative[i]);
                }
                sample(out, name + "_bucket", values, "+Inf", cumulative[bounds.length]);
                sample(out, name + "_sum", values, null, h.sum());
                sample(out, name + "_count", values, null, cumulative[bounds.length]);
            }
        }
    }

    private int compareLabelValues(List<String> a, List<String> b) {
        for (int i : sortedLabelOrder) {
            int c = a.get(i).compareTo(b.get(i));
            if (c != 0) return c;
        }
        return 0;
    }

    private void sample(StringBuilder out, String sampleName, List<String> values, String le, double v) {
        out.append(sampleName);
        if (!values.isEmpty() || le != null) {
            out.append('{');
            boolean first = true;
            for (int i : sortedLabelOrder) {
                if (!first) out.append(',');
                first = false;
                out.append(labelNames[i]).append("=\"");
                TextFormat.appendLabelValue(out, values.get(i));
                out.append('"');
            }
            if (le != null) {
                if (!first) out.append(',');
                out.append("le=\"").append(le).append('"');
            }
            out.append('}');
        }
        out.append(' ');
        TextFormat.appendDouble(out, v);
        out.append('\n');
    }
}
