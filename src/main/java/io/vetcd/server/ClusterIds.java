package io.vetcd.server;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;

/**
 * Member and cluster ids derived exactly as etcd derives them, so the same
 * flags give the same ids: a member id is the first 8 bytes (big-endian) of
 * SHA-1 over its sorted peer URLs, the cluster token and, for a member added
 * at runtime, the unix time; a cluster id is the same over its sorted member
 * ids.
 */
public final class ClusterIds {
    private ClusterIds() {}

    public static long memberId(Collection<String> peerUrls, String clusterToken, Long unixSeconds) {
        List<String> sorted = new ArrayList<>(peerUrls);
        sorted.sort(null);
        StringBuilder b = new StringBuilder();
        for (String u : sorted) b.append(u);
        b.append(clusterToken);
        if (unixSeconds != null) b.append(unixSeconds);
        return first8(sha1(b.toString().getBytes(StandardCharsets.UTF_8)));
    }

    public static long clusterId(Collection<Long> memberIds) {
        long[] ids = memberIds.stream().mapToLong(Long::longValue).toArray();
        // etcd sorts ids as unsigned 64-bit numbers
        Long[] boxed = Arrays.stream(ids).boxed().toArray(Long[]::new);
        Arrays.sort(boxed, Long::compareUnsigned);
        byte[] b = new byte[8 * boxed.length];
        for (int i = 0; i < boxed.length; i++) {
            long v = boxed[i];
            for (int j = 0; j < 8; j++) b[8 * i + j] = (byte) (v >>> (56 - 8 * j));
        }
        return first8(sha1(b));
    }

    /** etcd prints ids as lower-case hex without leading zeros. */
    public static String hex(long id) {
        return Long.toHexString(id);
    }

    private static long first8(byte[] h) {
        long v = 0;
        for (int i = 0; i < 8; i++) v = (v << 8) | (h[i] & 0xff);
        return v;
    }

    private static byte[] sha1(byte[] b) {
        try {
            return MessageDigest.getInstance("SHA-1").digest(b);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
