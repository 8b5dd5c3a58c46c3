package io.vetcd.mvcc;

/** RocksDB or I/O failure. Unchecked because a failing backend is fatal for the member anyway. */
public class StorageException extends MvccException {
    public StorageException(String message, Throwable cause) {
        super(message, cause);
    }
}
