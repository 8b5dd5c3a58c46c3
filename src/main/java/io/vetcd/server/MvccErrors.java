package io.vetcd.server;

import io.vetcd.mvcc.CompactedException;
import io.vetcd.mvcc.FutureRevisionException;

/** Maps the storage engine's errors to etcd's client errors. */
final class MvccErrors {
    private MvccErrors() {}

    static EtcdException translateOrNull(Throwable e) {
        if (e instanceof EtcdException ee) return ee;
        if (e instanceof CompactedException) return EtcdError.COMPACTED.exception();
        if (e instanceof FutureRevisionException) return EtcdError.FUTURE_REV.exception();
        return null;
    }

    static RuntimeException translate(RuntimeException e) {
        EtcdException mapped = translateOrNull(e);
        return mapped != null ? mapped : e;
    }
}
