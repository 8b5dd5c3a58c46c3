package io.vetcd.wal;

/**
 * Any failure of the write-ahead log: I/O errors, use after close, or use after an earlier failure.
 *
 * <p>Unchecked on purpose: the raft loop cannot do anything sensible with a WAL error except stop
 * the member, so forcing every call site to declare it would only invite swallowing it.
 */
public class WalException extends RuntimeException {
    public WalException(String message) { super(message); }

    public WalException(String message, Throwable cause) { super(message, cause); }
}
