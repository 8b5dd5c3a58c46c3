package io.vetcd.server;

/** A failure that reaches the client as one of etcd's errors. Cheap: no stack trace. */
public final class EtcdException extends RuntimeException {
    private final EtcdError error;

    public EtcdException(EtcdError error) {
        super(error.message, null, false, false);
        this.error = error;
    }

    public EtcdError error() { return error; }
}
