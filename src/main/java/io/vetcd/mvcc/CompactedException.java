package io.vetcd.mvcc;

/** The requested revision is older than the compact revision (etcd's ErrCompacted). */
public class CompactedException extends MvccException {
    public static final String MESSAGE = "mvcc: required revision has been compacted";

    public CompactedException() {
        super(MESSAGE);
    }
}
