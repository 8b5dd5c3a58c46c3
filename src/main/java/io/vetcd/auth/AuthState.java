package io.vetcd.auth;

import io.vetcd.pb.auth.Permission;
import io.vetcd.pb.auth.Role;
import io.vetcd.pb.auth.User;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The auth store as of one applied entry: whether auth is on, the auth revision, users and roles.
 * Immutable, so request paths on any thread read a consistent picture while the apply thread builds
 * the next one. Each user's merged permissions are computed once per state, on first use.
 */
final class AuthState {
    static final String ROOT = "root";

    final boolean enabled;
    final long revision;
    final SortedMap<String, User> users;
    final SortedMap<String, Role> roles;
    private final Map<String, RangePermissions[]> perms = new ConcurrentHashMap<>();

    AuthState(boolean enabled, long revision, SortedMap<String, User> users, SortedMap<String, Role> roles) {
        this.enabled = enabled;
        this.revision = revision;
        this.users = users;
        this.roles = roles;
    }

    static AuthState empty() {
        return new AuthState(false, 1, new TreeMap<>(), new TreeMap<>());
    }

    AuthState withEnabled(boolean on, long rev) { return new AuthState(on, rev, users, roles); }

    AuthState withUsers(SortedMap<String, User> u, long rev) { return new AuthState(enabled, rev, u, roles); }

    AuthState withRoles(SortedMap<String, Role> r, SortedMap<String, User> u, long rev) { return new AuthState(enabled, rev, u, r); }

    static boolean hasRoot(User u) {
        return u.getRolesList().contains(ROOT);
    }

    /** [read, write] permissions of {@code user}, or null for an unknown user. */
    RangePermissions[] permissionsOf(String user) {
        User u = users.get(user);
        if (u == null) return null;
        return perms.computeIfAbsent(user, n -> {
            List<Permission> all = new ArrayList<>();
            for (String r : u.getRolesList()) {
                Role role = roles.get(r);
                if (role != null) all.addAll(role.getKeyPermissionList());
            }
            return new RangePermissions[] {RangePermissions.of(all, true), RangePermissions.of(all, false)};
        });
    }
}
