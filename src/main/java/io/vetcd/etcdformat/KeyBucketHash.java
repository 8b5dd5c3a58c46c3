package io.vetcd.etcdformat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * etcd's HashKV (mvcc hashByRev): crc32c over the bucket name {@code key}, then every key and value
 * of the {@code key} bucket whose main revision is at most the revision hashed R; at or below the
 * compaction revision only what etcd's index keeps at R counts (its {@code Keep(R)}): an entry that
 * is still its key's latest revision at R and not a deletion. Which keys have later revisions is
 * known only after the whole bucket, so a compacted store is fed twice: first to {@link #laterKeys},
 * then to the hash.
 */
public final class KeyBucketHash implements BucketSink {
    private static final byte[] KEY = "key".getBytes(StandardCharsets.UTF_8);

    private final long upTo;
    private final long compactRevision;
    private final CRC32C crc = new CRC32C();
    private boolean inKey;
    /** At or below the compaction: user key -> its latest bucket entry so far (entries come in revision order). */
    private final java.util.Map<java.nio.ByteBuffer, byte[][]> kept = new java.util.HashMap<>();
    private boolean keptHashed;

    private final java.util.Set<java.nio.ByteBuffer> later;

    /**
     * {@code compactRevision}: -1 (or 0) when nothing was compacted; {@code laterKeys}: the user keys
     * with a revision above it and at most {@code upTo} (from a first pass, see {@link #laterKeys}).
     */
    public KeyBucketHash(long upTo, long compactRevision, java.util.Set<java.nio.ByteBuffer> laterKeys) {
        this.upTo = upTo;
        this.compactRevision = compactRevision;
        this.later = laterKeys;
        crc.update(KEY);
    }

    /** A first pass: collects into {@code out} the user keys written in (compactRevision, upTo]. */
    public static BucketSink laterKeys(long upTo, long compactRevision, java.util.Set<java.nio.ByteBuffer> out) {
        return new BucketSink() {
            private boolean inKey;

            @Override public void bucket(byte[] name) { inKey = Arrays.equals(name, KEY); }

            @Override public void put(byte[] key, byte[] value) {
                if (!inKey || key.length < 8) return;
                long main = mainOf(key);
                if (main <= compactRevision || main > upTo) return;
                out.add(java.nio.ByteBuffer.wrap(userKey(value)));
            }
        };
    }

    private static long mainOf(byte[] key) {
        long main = 0;
        for (int i = 0; i < 8; i++) main = (main << 8) | (key[i] & 0xff);
        return main;
    }

    private static byte[] userKey(byte[] value) {
        try {
            return io.vetcd.pb.mvcc.KeyValue.parseFrom(value).getKey().toByteArray();
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new IllegalStateException("undecodable key bucket value", e);
        }
    }

    @Override
    public void bucket(byte[] name) {
        if (inKey) hashKept();
        inKey = Arrays.equals(name, KEY);
    }

    @Override
    public void put(byte[] key, byte[] value) {
        if (!inKey || key.length < 8) return;
        long main = mainOf(key);
        if (main > upTo) return;
        if (main <= compactRevision) {
            java.nio.ByteBuffer k = java.nio.ByteBuffer.wrap(userKey(value));
            if (later.contains(k)) return; // superseded by R: not in etcd's Keep(R)
            kept.put(k, new byte[][] {key, value});
            return;
        }
        hashKept();
        crc.update(key);
        crc.update(value);
    }

    /** The kept entries, in bucket (revision) order, before anything above the compaction. */
    private void hashKept() {
        if (keptHashed) return;
        keptHashed = true;
        List<byte[][]> entries = new ArrayList<>(kept.values());
        entries.sort((a, b) -> Arrays.compareUnsigned(a[0], b[0]));
        for (byte[][] e : entries) {
            boolean tombstone = e[0].length > 17 && e[0][17] == 't';
            if (tombstone) continue;
            crc.update(e[0]);
            crc.update(e[1]);
        }
        kept.clear();
    }

    public int value() {
        hashKept();
        return (int) crc.getValue();
    }
}
