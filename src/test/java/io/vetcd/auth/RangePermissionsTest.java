package io.vetcd.auth;

import com.google.protobuf.ByteString;
import io.vetcd.pb.auth.Permission;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The permission algebra, as etcd's interval tree answers it (auth/range_perm_cache.go). */
class RangePermissionsTest {
    private static byte[] b(String s) { return s.getBytes(StandardCharsets.UTF_8); }

    private static Permission perm(Permission.Type t, String key, String end) {
        return Permission.newBuilder().setPermType(t).setKey(ByteString.copyFromUtf8(key))
            .setRangeEnd(ByteString.copyFromUtf8(end)).build();
    }

    @Test
    void aSingleKeyPermissionCoversOnlyThatKey() {
        RangePermissions p = RangePermissions.of(List.of(perm(Permission.Type.READ, "foo", "")), true);
        assertTrue(p.covers(b("foo"), new byte[0]));
        assertFalse(p.covers(b("foo1"), new byte[0]));
        assertFalse(p.covers(b("fo"), new byte[0]));
        // [foo, foo\0) is exactly the key
        assertTrue(p.covers(b("foo"), b("foo\0")));
        assertFalse(p.covers(b("foo"), b("fop")));
    }

    @Test
    void readAndWriteAreSeparateAndReadWriteGrantsBoth() {
        List<Permission> ps = List.of(perm(Permission.Type.READ, "r", ""), perm(Permission.Type.WRITE, "w", ""),
            perm(Permission.Type.READWRITE, "rw", ""));
        RangePermissions read = RangePermissions.of(ps, true);
        RangePermissions write = RangePermissions.of(ps, false);
        assertTrue(read.coversKey(b("r")));
        assertFalse(write.coversKey(b("r")));
        assertTrue(write.coversKey(b("w")));
        assertFalse(read.coversKey(b("w")));
        assertTrue(read.coversKey(b("rw")));
        assertTrue(write.coversKey(b("rw")));
    }

    @Test
    void adjacentAndOverlappingRangesMergeButGapsDoNot() {
        RangePermissions p = RangePermissions.of(List.of(
            perm(Permission.Type.READ, "a", "c"), perm(Permission.Type.READ, "c", "e"),
            perm(Permission.Type.READ, "d", "f"), perm(Permission.Type.READ, "g", "h")), true);
        assertTrue(p.covers(b("a"), b("f")));
        assertTrue(p.covers(b("b"), b("e")));
        assertFalse(p.covers(b("a"), b("g")), "f..g is a gap");
        assertFalse(p.covers(b("e"), b("h")));
        assertTrue(p.covers(b("g"), b("h")));
        assertFalse(p.coversKey(b("f")));
        assertTrue(p.coversKey(b("ez")));
    }

    @Test
    void fromKeyPermissionsReachTheEndOfTheKeySpace() {
        RangePermissions p = RangePermissions.of(List.of(perm(Permission.Type.READ, "k", "\0")), true);
        assertTrue(p.covers(b("k"), b("\0")), "a from-key range within a from-key permission");
        assertTrue(p.covers(b("z"), b("\0")));
        assertTrue(p.covers(b("k"), b("zzzz")));
        assertFalse(p.covers(b("j"), b("\0")));
        assertFalse(p.covers(new byte[0], b("\0")), "everything is more than from k on");
        RangePermissions bounded = RangePermissions.of(List.of(perm(Permission.Type.READ, "k", "x")), true);
        assertFalse(bounded.covers(b("k"), b("\0")), "a from-key request needs an unbounded permission");
    }

    @Test
    void emptyOrInvertedRequestsAreNotCovered() {
        RangePermissions p = RangePermissions.of(List.of(perm(Permission.Type.READ, "a", "\0")), true);
        assertFalse(p.covers(b("c"), b("b")));
        assertFalse(p.covers(b("c"), b("c")));
        assertFalse(RangePermissions.NOTHING.coversKey(b("a")));
    }

    @Test
    void newPermissionsNeedAKeyAndASaneEnd() {
        assertTrue(RangePermissions.isValid(b("a"), new byte[0]));
        assertTrue(RangePermissions.isValid(b("a"), b("\0")));
        assertTrue(RangePermissions.isValid(b("a"), b("b")));
        assertFalse(RangePermissions.isValid(new byte[0], b("b")));
        assertFalse(RangePermissions.isValid(b("b"), b("a")));
        assertFalse(RangePermissions.isValid(b("b"), b("b")));
    }
}
