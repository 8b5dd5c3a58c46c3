package io.vetcd.auth;

import io.vetcd.pb.auth.Permission;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * One user's key permissions of one kind (read or write), merged from all their roles into sorted,
 * disjoint, maximal intervals {@code [begin, end)} of keys; {@code end == null} is "to the end of
 * the key space". Because the intervals are maximal, a range is permitted exactly when one interval
 * covers it: the same answer as etcd's interval tree, which asks whether the permissions that
 * overlap a range cover it without a gap.
 *
 * <p>Permission shapes, as etcd stores them: {@code range_end} empty = the single key;
 * {@code range_end == "\0"} = every key from {@code key} on; otherwise {@code [key, range_end)}.
 * Requests use the same shapes.
 */
public final class RangePermissions {
    public static final RangePermissions NOTHING = new RangePermissions(new byte[0][], new byte[0][]);

    private final byte[][] begins;
    private final byte[][] ends;

    private RangePermissions(byte[][] begins, byte[][] ends) {
        this.begins = begins;
        this.ends = ends;
    }

    /** The permissions among {@code perms} that grant {@code read} (else: write) access. */
    public static RangePermissions of(List<Permission> perms, boolean read) {
        List<byte[][]> ivs = new ArrayList<>();
        for (Permission p : perms) {
            boolean grants = p.getPermType() == Permission.Type.READWRITE
                || (read ? p.getPermType() == Permission.Type.READ : p.getPermType() == Permission.Type.WRITE);
            if (!grants) continue;
            byte[] begin = p.getKey().toByteArray();
            byte[] end = endOf(begin, p.getRangeEnd().toByteArray());
            if (end != null && Arrays.compareUnsigned(begin, end) >= 0) continue; // empty
            ivs.add(new byte[][] {begin, end});
        }
        ivs.sort(Comparator.comparing((byte[][] iv) -> iv[0], Arrays::compareUnsigned));
        List<byte[]> bs = new ArrayList<>();
        List<byte[]> es = new ArrayList<>();
        for (byte[][] iv : ivs) {
            int last = bs.size() - 1;
            // touching or overlapping the previous interval: extend it
            if (last >= 0 && (es.get(last) == null || Arrays.compareUnsigned(es.get(last), iv[0]) >= 0)) {
                if (es.get(last) != null && (iv[1] == null || Arrays.compareUnsigned(iv[1], es.get(last)) > 0)) {
                    es.set(last, iv[1]);
                }
            } else {
                bs.add(iv[0]);
                es.add(iv[1]);
            }
        }
        return new RangePermissions(bs.toArray(new byte[0][]), es.toArray(new byte[0][]));
    }

    /** Is {@code [key, rangeEnd)} (etcd's request shapes: empty end = one key, "\0" = from key on) covered? */
    public boolean covers(byte[] key, byte[] rangeEnd) {
        if (rangeEnd.length == 0) return coversKey(key);
        byte[] end = isFromKey(rangeEnd) ? null : rangeEnd;
        if (end != null && Arrays.compareUnsigned(key, end) >= 0) return false;
        int i = containing(key);
        if (i < 0) return false;
        if (ends[i] == null) return true;
        return end != null && Arrays.compareUnsigned(ends[i], end) >= 0;
    }

    public boolean coversKey(byte[] key) {
        return containing(key) >= 0;
    }

    public boolean isEmpty() { return begins.length == 0; }

    /** The interval holding {@code key}, or -1. */
    private int containing(byte[] key) {
        int lo = 0, hi = begins.length - 1, found = -1;
        while (lo <= hi) { // last interval whose begin <= key
            int mid = (lo + hi) >>> 1;
            if (Arrays.compareUnsigned(begins[mid], key) <= 0) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        if (found < 0) return -1;
        return ends[found] == null || Arrays.compareUnsigned(key, ends[found]) < 0 ? found : -1;
    }

    /** The exclusive end of a permission: the key + "\0" for one key, null for "from key on". */
    private static byte[] endOf(byte[] key, byte[] rangeEnd) {
        if (rangeEnd.length == 0) return Arrays.copyOf(key, key.length + 1);
        return isFromKey(rangeEnd) ? null : rangeEnd;
    }

    static boolean isFromKey(byte[] rangeEnd) {
        return rangeEnd.length == 1 && rangeEnd[0] == 0;
    }

    /** etcd 3.4.45's rule for a new permission: a key, and an end that is empty, "\0" or after the key. */
    public static boolean isValid(byte[] key, byte[] rangeEnd) {
        if (key.length == 0) return false;
        if (rangeEnd.length == 0 || isFromKey(rangeEnd)) return true;
        return Arrays.compareUnsigned(key, rangeEnd) < 0;
    }
}
