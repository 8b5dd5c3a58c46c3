package io.vetcd.mvcc;

import java.util.List;
import java.util.Map;

/** Read access to the meta entries other components store with {@link WriteTxn#putMeta}. */
public interface MetaReader {
    /** The value stored under {@code key}, or null. */
    byte[] getMeta(byte[] key);

    /** All entries whose key starts with {@code prefix}, in key order. */
    List<Map.Entry<byte[], byte[]>> scanMeta(byte[] prefix);
}
