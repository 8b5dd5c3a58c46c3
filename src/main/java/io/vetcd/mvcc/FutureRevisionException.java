package io.vetcd.mvcc;

/** The requested revision is newer than the current revision (etcd's ErrFutureRev). */
public class FutureRevisionException extends MvccException {
    public static final String MESSAGE = "mvcc: required revision is a future revision";

    public FutureRevisionException() {
        super(MESSAGE);
    }
}
