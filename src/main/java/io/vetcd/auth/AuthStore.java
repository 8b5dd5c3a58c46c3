package io.vetcd.auth;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.vetcd.mvcc.MetaReader;
import io.vetcd.mvcc.MvccStore;
import io.vetcd.mvcc.WriteTxn;
import io.vetcd.pb.auth.Permission;
import io.vetcd.pb.auth.Role;
import io.vetcd.pb.auth.User;
import io.vetcd.pb.auth.UserAddOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * etcd's auth store: whether auth is on, users (bcrypt-hashed passwords, roles), roles (key and
 * range permissions), the implicit {@code root} role, and the auth revision that every change bumps.
 *
 * <p>Changes come only from applying committed entries (the {@code apply*} methods, apply thread;
 * each commits its own write with the entry's index, so a restart applies it exactly once), so
 * every member agrees. They are persisted in the backend's meta space under etcd's bucket names
 * ({@code auth/}, {@code authUsers/}, {@code authRoles/} + name, values authpb bytes), which is what
 * the bbolt export writes out. Checks run on any thread against an immutable {@link AuthState}.
 *
 * <p>Semantics are etcd 3.4's (auth/store.go), with the later 3.4 fixes: a permission needs a key
 * and a sane range end; admins may touch any lease.
 */
public final class AuthStore {
    private static final Logger log = LoggerFactory.getLogger(AuthStore.class);

    public static final byte[] ENABLED_KEY = "auth/authEnabled".getBytes(StandardCharsets.UTF_8);
    public static final byte[] REVISION_KEY = "auth/authRevision".getBytes(StandardCharsets.UTF_8);
    public static final byte[] USERS = "authUsers/".getBytes(StandardCharsets.UTF_8);
    public static final byte[] ROLES = "authRoles/".getBytes(StandardCharsets.UTF_8);

    private final MvccStore store;
    private final PasswordHasher hasher;
    private final TokenProvider tokens;
    private volatile AuthState state = AuthState.empty();

    public AuthStore(MvccStore store, PasswordHasher hasher, TokenProvider tokens) {
        this.store = store;
        this.hasher = hasher;
        this.tokens = tokens;
        load(store);
    }

    public TokenProvider tokens() { return tokens; }

    /** Replaces what is known with what {@code meta} holds (start-up, snapshot install). */
    public synchronized void load(MetaReader meta) {
        byte[] en = meta.getMeta(ENABLED_KEY);
        byte[] rev = meta.getMeta(REVISION_KEY);
        SortedMap<String, User> users = new TreeMap<>();
        for (Map.Entry<byte[], byte[]> e : meta.scanMeta(USERS)) {
            User u = parse(e.getValue(), User.parser());
            users.put(u.getName().toStringUtf8(), u);
        }
        SortedMap<String, Role> roles = new TreeMap<>();
        for (Map.Entry<byte[], byte[]> e : meta.scanMeta(ROLES)) {
            Role r = parse(e.getValue(), Role.parser());
            roles.put(r.getName().toStringUtf8(), r);
        }
        boolean enabled = en != null && en.length == 1 && en[0] == 1;
        // etcd starts a new store at revision 1
        long revision = rev == null || rev.length != 8 ? 1 : Math.max(1, ByteBuffer.wrap(rev).getLong());
        state = new AuthState(enabled, revision, users, roles);
        if (enabled) tokens.enable(); else tokens.disable();
    }

    // ---- reads (any thread) ----

    public boolean enabled() { return state.enabled; }

    public long revision() { return state.revision; }

    /** Who a valid token is, or null. */
    public AuthInfo infoFromToken(String token) {
        return tokens.info(token, state.revision);
    }

    /** The user named by a verified client certificate, at the current revision. */
    public AuthInfo infoFromCommonName(String cn) {
        return new AuthInfo(cn, state.revision);
    }

    /**
     * Authenticate's password check (expensive: bcrypt). Returns the auth revision it was checked
     * at; etcd retries the Authenticate if the store changed before the token was made.
     */
    public long checkPassword(String name, String password) {
        AuthState s = state;
        if (!s.enabled) throw AuthError.AUTH_NOT_ENABLED.exception();
        User u = s.users.get(name);
        if (u == null || noPassword(u)) throw AuthError.AUTH_FAILED.exception();
        if (!PasswordHasher.matches(u.getPassword().toByteArray(), password)) throw AuthError.AUTH_FAILED.exception();
        return s.revision;
    }

    public void checkRange(AuthInfo ai, byte[] key, byte[] rangeEnd) { checkOp(ai, key, rangeEnd, true); }

    public void checkPut(AuthInfo ai, byte[] key) { checkOp(ai, key, new byte[0], false); }

    public void checkDelete(AuthInfo ai, byte[] key, byte[] rangeEnd) { checkOp(ai, key, rangeEnd, false); }

    /** etcd's IsAdminPermitted: with auth on, only a user with the root role. */
    public void checkAdmin(AuthInfo ai) {
        AuthState s = state;
        if (!s.enabled) return;
        if (ai == null || ai.isEmpty()) throw AuthError.USER_EMPTY.exception();
        User u = s.users.get(ai.username());
        if (u == null) throw AuthError.USER_NOT_FOUND.exception();
        if (!AuthState.hasRoot(u)) throw AuthError.PERMISSION_DENIED.exception();
    }

    public boolean isAdmin(AuthInfo ai) {
        try {
            checkAdmin(ai);
            return true;
        } catch (AuthException e) {
            return false;
        }
    }

    /** etcd 3.4.45's requireAuthInfo: with auth on, the call needs some authenticated user. */
    public void checkAuthenticated(AuthInfo ai) {
        if (state.enabled && (ai == null || ai.isEmpty())) throw AuthError.USER_EMPTY.exception();
    }

    public boolean hasRole(String user, String role) {
        User u = state.users.get(user);
        return u != null && u.getRolesList().contains(role);
    }

    private void checkOp(AuthInfo ai, byte[] key, byte[] rangeEnd, boolean read) {
        AuthState s = state;
        if (!s.enabled) return;
        if (ai == null || ai.revision() == 0) throw AuthError.USER_EMPTY.exception();
        if (ai.revision() < s.revision) throw AuthError.AUTH_OLD_REVISION.exception();
        User u = s.users.get(ai.username());
        if (u == null) throw AuthError.PERMISSION_DENIED.exception();
        if (AuthState.hasRoot(u)) return;
        RangePermissions[] p = s.permissionsOf(ai.username());
        if (!p[read ? 0 : 1].covers(key, rangeEnd)) throw AuthError.PERMISSION_DENIED.exception();
    }

    public List<String> userNames() { return new ArrayList<>(state.users.keySet()); }

    public List<String> roleNames() { return new ArrayList<>(state.roles.keySet()); }

    public List<String> rolesOf(String user) {
        User u = state.users.get(user);
        if (u == null) throw AuthError.USER_NOT_FOUND.exception();
        return u.getRolesList();
    }

    public List<Permission> permissionsOf(String role) {
        Role r = state.roles.get(role);
        if (r == null) throw AuthError.ROLE_NOT_FOUND.exception();
        return r.getKeyPermissionList();
    }

    /** Every user and role as stored (authpb), for the bbolt export. */
    public List<User> users() { return List.copyOf(state.users.values()); }

    public List<Role> roles() { return List.copyOf(state.roles.values()); }

    // ---- changes (apply thread): each writes and commits with the entry's index ----

    public void applyEnable(long index) {
        AuthState s = state;
        if (s.enabled) {
            commitNothing(index);
            return;
        }
        User root = s.users.get(AuthState.ROOT);
        if (root == null) {
            commitNothing(index);
            throw AuthError.ROOT_USER_NOT_EXIST.exception();
        }
        if (!AuthState.hasRoot(root)) {
            commitNothing(index);
            throw AuthError.ROOT_ROLE_NOT_EXIST.exception();
        }
        commit(index, s.withEnabled(true, s.revision), txn -> txn.putMeta(ENABLED_KEY, new byte[] {1}));
        tokens.enable();
        log.info("enabled authentication");
    }

    public void applyDisable(long index) {
        AuthState s = state;
        if (!s.enabled) {
            commitNothing(index);
            return;
        }
        commit(index, s.withEnabled(false, s.revision + 1), txn -> txn.putMeta(ENABLED_KEY, new byte[] {0}));
        tokens.disable();
        log.info("disabled authentication");
    }

    /** Makes the token of an Authenticate entry (its password was checked before proposing). */
    public String applyAuthenticate(String name, String prefix, long index) {
        AuthState s = state;
        commitNothing(index);
        if (!s.enabled) throw AuthError.AUTH_NOT_ENABLED.exception();
        User u = s.users.get(name);
        if (u == null || noPassword(u)) throw AuthError.AUTH_FAILED.exception();
        String token = tokens.assign(name, s.revision, index, prefix);
        if (token == null) throw AuthError.AUTH_FAILED.exception();
        return token;
    }

    public void applyUserAdd(String name, String password, boolean noPassword, long index) {
        AuthState s = state;
        if (name.isEmpty()) fail(index, AuthError.USER_EMPTY);
        if (s.users.containsKey(name)) fail(index, AuthError.USER_ALREADY_EXIST);
        User.Builder u = User.newBuilder().setName(ByteString.copyFromUtf8(name))
            .setOptions(UserAddOptions.newBuilder().setNoPassword(noPassword));
        if (!noPassword) u.setPassword(ByteString.copyFrom(hasher.hash(password)));
        putUsers(s, u.build(), index);
        log.info("added a user: {}", name);
    }

    public void applyUserDelete(String name, long index) {
        AuthState s = state;
        if (s.enabled && AuthState.ROOT.equals(name)) fail(index, AuthError.INVALID_AUTH_MGMT);
        if (!s.users.containsKey(name)) fail(index, AuthError.USER_NOT_FOUND);
        SortedMap<String, User> users = new TreeMap<>(s.users);
        users.remove(name);
        commit(index, s.withUsers(users, s.revision + 1), txn -> txn.deleteMeta(key(USERS, name)));
        tokens.invalidateUser(name);
        log.info("deleted a user: {}", name);
    }

    public void applyChangePassword(String name, String password, long index) {
        AuthState s = state;
        User u = s.users.get(name);
        if (u == null) fail(index, AuthError.USER_NOT_FOUND);
        putUsers(s, u.toBuilder().setPassword(ByteString.copyFrom(hasher.hash(password))).build(), index);
        tokens.invalidateUser(name);
        log.info("changed a password of a user: {}", name);
    }

    public void applyGrantRole(String name, String role, long index) {
        AuthState s = state;
        User u = s.users.get(name);
        if (u == null) fail(index, AuthError.USER_NOT_FOUND);
        if (!AuthState.ROOT.equals(role) && !s.roles.containsKey(role)) fail(index, AuthError.ROLE_NOT_FOUND);
        if (u.getRolesList().contains(role)) {
            commitNothing(index); // already granted: nothing changes, not even the revision
            return;
        }
        List<String> roles = new ArrayList<>(u.getRolesList());
        roles.add(role);
        roles.sort(Comparator.naturalOrder());
        putUsers(s, u.toBuilder().clearRoles().addAllRoles(roles).build(), index);
        log.info("granted role {} to user {}", role, name);
    }

    public void applyRevokeRole(String name, String role, long index) {
        AuthState s = state;
        if (s.enabled && AuthState.ROOT.equals(name) && AuthState.ROOT.equals(role)) fail(index, AuthError.INVALID_AUTH_MGMT);
        User u = s.users.get(name);
        if (u == null) fail(index, AuthError.USER_NOT_FOUND);
        List<String> roles = new ArrayList<>(u.getRolesList());
        if (!roles.remove(role)) fail(index, AuthError.ROLE_NOT_GRANTED);
        putUsers(s, u.toBuilder().clearRoles().addAllRoles(roles).build(), index);
        log.info("revoked role {} from user {}", role, name);
    }

    public void applyRoleAdd(String name, long index) {
        AuthState s = state;
        if (name.isEmpty()) fail(index, AuthError.ROLE_EMPTY);
        if (s.roles.containsKey(name)) fail(index, AuthError.ROLE_ALREADY_EXIST);
        putRole(s, Role.newBuilder().setName(ByteString.copyFromUtf8(name)).build(), index);
        log.info("created a role: {}", name);
    }

    public void applyRoleDelete(String name, long index) {
        AuthState s = state;
        if (s.enabled && AuthState.ROOT.equals(name)) fail(index, AuthError.INVALID_AUTH_MGMT);
        if (!s.roles.containsKey(name)) fail(index, AuthError.ROLE_NOT_FOUND);
        SortedMap<String, Role> roles = new TreeMap<>(s.roles);
        roles.remove(name);
        SortedMap<String, User> users = new TreeMap<>(s.users);
        List<User> changed = new ArrayList<>();
        for (User u : s.users.values()) {
            if (!u.getRolesList().contains(name)) continue;
            List<String> rs = new ArrayList<>(u.getRolesList());
            rs.remove(name);
            User nu = u.toBuilder().clearRoles().addAllRoles(rs).build();
            users.put(nu.getName().toStringUtf8(), nu);
            changed.add(nu);
        }
        commit(index, s.withRoles(roles, users, s.revision + 1), txn -> {
            txn.deleteMeta(key(ROLES, name));
            for (User u : changed) txn.putMeta(key(USERS, u.getName().toStringUtf8()), u.toByteArray());
        });
        log.info("deleted a role: {}", name);
    }

    public void applyGrantPermission(String roleName, Permission perm, long index) {
        AuthState s = state;
        if (perm == null) fail(index, AuthError.PERMISSION_NOT_GIVEN);
        if (!RangePermissions.isValid(perm.getKey().toByteArray(), perm.getRangeEnd().toByteArray())) {
            fail(index, AuthError.INVALID_AUTH_MGMT);
        }
        Role r = s.roles.get(roleName);
        if (r == null) fail(index, AuthError.ROLE_NOT_FOUND);
        List<Permission> perms = new ArrayList<>(r.getKeyPermissionList());
        boolean updated = false;
        for (int i = 0; i < perms.size(); i++) {
            Permission p = perms.get(i);
            if (p.getKey().equals(perm.getKey()) && p.getRangeEnd().equals(perm.getRangeEnd())) {
                perms.set(i, p.toBuilder().setPermType(perm.getPermType()).build());
                updated = true;
                break;
            }
        }
        if (!updated) {
            perms.add(Permission.newBuilder().setKey(perm.getKey()).setRangeEnd(perm.getRangeEnd())
                .setPermType(perm.getPermType()).build());
            perms.sort((a, b) -> ByteString.unsignedLexicographicalComparator().compare(a.getKey(), b.getKey()));
        }
        putRole(s, r.toBuilder().clearKeyPermission().addAllKeyPermission(perms).build(), index);
        log.info("granted/updated a permission to role {}", roleName);
    }

    public void applyRevokePermission(String roleName, ByteString key, ByteString rangeEnd, long index) {
        AuthState s = state;
        Role r = s.roles.get(roleName);
        if (r == null) fail(index, AuthError.ROLE_NOT_FOUND);
        List<Permission> perms = new ArrayList<>(r.getKeyPermissionList());
        if (!perms.removeIf(p -> p.getKey().equals(key) && p.getRangeEnd().equals(rangeEnd))) {
            fail(index, AuthError.PERMISSION_NOT_GRANTED);
        }
        putRole(s, r.toBuilder().clearKeyPermission().addAllKeyPermission(perms).build(), index);
        log.info("revoked a permission from role {}", roleName);
    }

    /** An entry that reads the store (get/list/status) or was refused still advances the applied index. */
    public void commitNothing(long index) {
        store.beginWrite().commit(index);
    }

    // ---- plumbing ----

    private void putUsers(AuthState s, User u, long index) {
        SortedMap<String, User> users = new TreeMap<>(s.users);
        users.put(u.getName().toStringUtf8(), u);
        commit(index, s.withUsers(users, s.revision + 1), txn -> txn.putMeta(key(USERS, u.getName().toStringUtf8()), u.toByteArray()));
    }

    private void putRole(AuthState s, Role r, long index) {
        SortedMap<String, Role> roles = new TreeMap<>(s.roles);
        roles.put(r.getName().toStringUtf8(), r);
        commit(index, s.withRoles(roles, s.users, s.revision + 1), txn -> txn.putMeta(key(ROLES, r.getName().toStringUtf8()), r.toByteArray()));
    }

    /**
     * One change of the auth store: its meta writes and its revision in one batch with the entry's index
     * (so a restart applies it exactly once), then the state that request paths read from.
     */
    private void commit(long index, AuthState next, java.util.function.Consumer<WriteTxn> writes) {
        WriteTxn txn = store.beginWrite();
        writes.accept(txn);
        txn.putMeta(REVISION_KEY, revisionBytes(next.revision));
        txn.commit(index);
        state = next;
    }

    private void fail(long index, AuthError e) {
        commitNothing(index);
        throw e.exception();
    }

    private static boolean noPassword(User u) {
        return u.hasOptions() && u.getOptions().getNoPassword();
    }

    public static byte[] key(byte[] prefix, String name) {
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        byte[] k = new byte[prefix.length + n.length];
        System.arraycopy(prefix, 0, k, 0, prefix.length);
        System.arraycopy(n, 0, k, prefix.length, n.length);
        return k;
    }

    public static byte[] revisionBytes(long rev) {
        return ByteBuffer.allocate(8).putLong(rev).array();
    }

    private static <T> T parse(byte[] bytes, com.google.protobuf.Parser<T> parser) {
        try {
            return parser.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("undecodable auth record in the backend", e);
        }
    }
}
