package io.vetcd.mvcc;

/** Base of the store's request errors; messages match etcd's so they can be sent to clients verbatim. */
public class MvccException extends RuntimeException {
    public MvccException(String message) {
        super(message);
    }

    public MvccException(String message, Throwable cause) {
        super(message, cause);
    }
}
