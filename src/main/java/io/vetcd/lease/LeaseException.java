package io.vetcd.lease;

/** A lease operation refused; the server maps the reason to etcd's error. */
public final class LeaseException extends RuntimeException {
    public enum Reason { NOT_FOUND, EXISTS, TTL_TOO_LARGE, NOT_PRIMARY }

    private final Reason reason;

    public LeaseException(Reason reason) {
        super(reason.name(), null, false, false);
        this.reason = reason;
    }

    public Reason reason() { return reason; }
}
