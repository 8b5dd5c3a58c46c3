package io.vetcd.discovery;

/** One DNS SRV answer: where a service listens. {@code target} as DNS gives it (may end with a dot). */
public record SrvRecord(int priority, int weight, int port, String target) {
    /** The target without the root dot, as it goes into a URL. */
    public String host() {
        return target.endsWith(".") ? target.substring(0, target.length() - 1) : target;
    }
}
