package io.vetcd.auth;

import com.google.protobuf.ByteString;
import io.vetcd.mvcc.MvccOptions;
import io.vetcd.mvcc.MvccStore;
import io.vetcd.pb.auth.Permission;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** etcd 3.4's auth store rules, as specifications (auth/store.go and its later 3.4 fixes). */
class AuthStoreTest {
    @TempDir
    Path dir;
    MvccStore store;
    AuthStore auth;
    long index = 1;

    @BeforeEach
    void open() {
        store = MvccStore.open(dir.resolve("db"), MvccOptions.defaults());
        auth = new AuthStore(store, new PasswordHasher(4), new SimpleTokens(300, new AtomicLong()::get));
    }

    @AfterEach
    void close() {
        store.close();
    }

    private static byte[] b(String s) { return s.getBytes(StandardCharsets.UTF_8); }

    private static AuthError error(Runnable r) {
        return assertThrows(AuthException.class, r::run).error();
    }

    private void rootUser() {
        auth.applyUserAdd("root", "rootpw", false, index++);
        auth.applyGrantRole("root", "root", index++);
    }

    @Test
    void enablingNeedsARootUserWithTheRootRole() {
        assertEquals(AuthError.ROOT_USER_NOT_EXIST, error(() -> auth.applyEnable(index++)));
        auth.applyUserAdd("root", "pw", false, index++);
        assertEquals(AuthError.ROOT_ROLE_NOT_EXIST, error(() -> auth.applyEnable(index++)));
        auth.applyGrantRole("root", "root", index++);
        auth.applyEnable(index++);
        assertTrue(auth.enabled());
        assertEquals(index - 1, store.consistentIndex(), "refusals and changes alike advance the applied index");
    }

    @Test
    void everyChangeBumpsTheRevisionAndRepeatingAGrantDoesNot() {
        long r0 = auth.revision();
        assertEquals(1, r0, "a new store starts at revision 1");
        auth.applyRoleAdd("r", index++);
        auth.applyUserAdd("u", "p", false, index++);
        auth.applyGrantRole("u", "r", index++);
        assertEquals(r0 + 3, auth.revision());
        auth.applyGrantRole("u", "r", index++);
        assertEquals(r0 + 3, auth.revision());
    }

    @Test
    void passwordsAreBcryptAndNoPasswordUsersCannotLogIn() {
        rootUser();
        auth.applyUserAdd("nopw", "", true, index++);
        auth.applyEnable(index++);
        assertEquals(auth.revision(), auth.checkPassword("root", "rootpw"));
        assertEquals(AuthError.AUTH_FAILED, error(() -> auth.checkPassword("root", "wrong")));
        assertEquals(AuthError.AUTH_FAILED, error(() -> auth.checkPassword("ghost", "x")));
        assertEquals(AuthError.AUTH_FAILED, error(() -> auth.checkPassword("nopw", "")));
        assertEquals(AuthError.AUTH_FAILED, error(() -> auth.applyAuthenticate("nopw", "p", index++)));
        String token = auth.applyAuthenticate("root", "prefixprefixpref", index);
        assertEquals("prefixprefixpref." + index, token);
        assertEquals("root", auth.infoFromToken(token).username());
    }

    @Test
    void rootIsProtectedWhileAuthIsOn() {
        rootUser();
        auth.applyRoleAdd("root", index++);
        auth.applyEnable(index++);
        assertEquals(AuthError.INVALID_AUTH_MGMT, error(() -> auth.applyUserDelete("root", index++)));
        assertEquals(AuthError.INVALID_AUTH_MGMT, error(() -> auth.applyRevokeRole("root", "root", index++)));
        assertEquals(AuthError.INVALID_AUTH_MGMT, error(() -> auth.applyRoleDelete("root", index++)));
        auth.applyDisable(index++);
        auth.applyRevokeRole("root", "root", index++);
        assertFalse(auth.hasRole("root", "root"));
    }

    @Test
    void permissionChecksFollowRolesAndRevisions() {
        rootUser();
        auth.applyRoleAdd("r", index++);
        auth.applyGrantPermission("r", Permission.newBuilder().setPermType(Permission.Type.READWRITE)
            .setKey(ByteString.copyFromUtf8("k")).setRangeEnd(ByteString.copyFromUtf8("l")).build(), index++);
        auth.applyUserAdd("u", "p", false, index++);
        auth.applyGrantRole("u", "r", index++);
        auth.applyEnable(index++);
        AuthInfo u = new AuthInfo("u", auth.revision());
        auth.checkPut(u, b("k1"));
        auth.checkRange(u, b("k"), b("l"));
        assertEquals(AuthError.PERMISSION_DENIED, error(() -> auth.checkPut(u, b("m"))));
        assertEquals(AuthError.USER_EMPTY, error(() -> auth.checkPut(AuthInfo.NONE, b("k1"))));
        auth.checkPut(new AuthInfo("root", auth.revision()), b("anything"));
        assertEquals(AuthError.PERMISSION_DENIED, error(() -> auth.checkAdmin(u)));

        auth.applyRevokePermission("r", ByteString.copyFromUtf8("k"), ByteString.copyFromUtf8("l"), index++);
        assertEquals(AuthError.AUTH_OLD_REVISION, error(() -> auth.checkPut(u, b("k1"))), "checked at an older revision");
        AuthInfo now = new AuthInfo("u", auth.revision());
        assertEquals(AuthError.PERMISSION_DENIED, error(() -> auth.checkPut(now, b("k1"))));
        assertEquals(AuthError.PERMISSION_NOT_GRANTED, error(() ->
            auth.applyRevokePermission("r", ByteString.copyFromUtf8("k"), ByteString.copyFromUtf8("l"), index++)));
        assertEquals(AuthError.INVALID_AUTH_MGMT, error(() -> auth.applyGrantPermission("r", Permission.newBuilder()
            .setKey(ByteString.copyFromUtf8("z")).setRangeEnd(ByteString.copyFromUtf8("a")).build(), index++)));
        assertEquals(AuthError.PERMISSION_NOT_GIVEN, error(() -> auth.applyGrantPermission("r", null, index++)));
    }

    @Test
    void deletingARoleTakesItFromEveryUser() {
        auth.applyRoleAdd("r", index++);
        auth.applyUserAdd("a", "p", false, index++);
        auth.applyUserAdd("b", "p", false, index++);
        auth.applyGrantRole("a", "r", index++);
        auth.applyGrantRole("b", "r", index++);
        auth.applyRoleDelete("r", index++);
        assertEquals(List.of(), auth.rolesOf("a"));
        assertEquals(List.of(), auth.rolesOf("b"));
        assertEquals(AuthError.ROLE_NOT_FOUND, error(() -> auth.applyGrantRole("a", "r", index++)));
        assertEquals(AuthError.ROLE_NOT_GRANTED, error(() -> auth.applyRevokeRole("a", "r", index++)));
    }

    @Test
    void namesAreCheckedAndDuplicatesRefused() {
        assertEquals(AuthError.USER_EMPTY, error(() -> auth.applyUserAdd("", "p", false, index++)));
        assertEquals(AuthError.ROLE_EMPTY, error(() -> auth.applyRoleAdd("", index++)));
        auth.applyUserAdd("u", "p", false, index++);
        auth.applyRoleAdd("r", index++);
        assertEquals(AuthError.USER_ALREADY_EXIST, error(() -> auth.applyUserAdd("u", "p", false, index++)));
        assertEquals(AuthError.ROLE_ALREADY_EXIST, error(() -> auth.applyRoleAdd("r", index++)));
        assertEquals(AuthError.USER_NOT_FOUND, error(() -> auth.applyUserDelete("x", index++)));
        assertEquals(AuthError.USER_NOT_FOUND, error(() -> auth.applyChangePassword("x", "p", index++)));
        assertEquals(AuthError.ROLE_NOT_FOUND, error(() -> auth.applyRoleDelete("x", index++)));
    }

    @Test
    void everythingSurvivesAReopen() {
        rootUser();
        auth.applyRoleAdd("r", index++);
        auth.applyGrantPermission("r", Permission.newBuilder().setPermType(Permission.Type.READ)
            .setKey(ByteString.copyFromUtf8("k")).build(), index++);
        auth.applyUserAdd("u", "secret", false, index++);
        auth.applyGrantRole("u", "r", index++);
        auth.applyEnable(index++);
        long rev = auth.revision();
        store.close();
        store = MvccStore.open(dir.resolve("db"), MvccOptions.defaults());
        AuthStore reopened = new AuthStore(store, new PasswordHasher(4), new SimpleTokens(300, System::nanoTime));
        assertTrue(reopened.enabled());
        assertEquals(rev, reopened.revision());
        assertEquals(List.of("root", "u"), reopened.userNames());
        assertEquals(rev, reopened.checkPassword("u", "secret"));
        reopened.checkRange(new AuthInfo("u", rev), b("k"), new byte[0]);
    }
}
