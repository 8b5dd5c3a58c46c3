package io.vetcd.etcdformat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * etcd's Maintenance.Hash of its backend (mvcc/backend Hash with DefaultIgnores): crc32c over
 * every bucket name and every key and value, except {@code meta/consistent_index}, which differs
 * between members holding the same data.
 */
public final class BackendHash implements BucketSink {
    private static final byte[] META = "meta".getBytes(StandardCharsets.UTF_8);
    private static final byte[] CONSISTENT_INDEX = "consistent_index".getBytes(StandardCharsets.UTF_8);

    private final CRC32C crc = new CRC32C();
    private boolean inMeta;

    @Override
    public void bucket(byte[] name) {
        crc.update(name);
        inMeta = Arrays.equals(name, META);
    }

    @Override
    public void put(byte[] key, byte[] value) {
        if (inMeta && Arrays.equals(key, CONSISTENT_INDEX)) return;
        crc.update(key);
        crc.update(value);
    }

    public int value() {
        return (int) crc.getValue();
    }
}
