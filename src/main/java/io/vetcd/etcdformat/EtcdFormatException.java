package io.vetcd.etcdformat;

/** A file of an etcd data directory (bbolt db, WAL, snap) is not what it should be, or is damaged. */
public final class EtcdFormatException extends RuntimeException {
    public EtcdFormatException(String message) {
        super(message);
    }

    public EtcdFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
