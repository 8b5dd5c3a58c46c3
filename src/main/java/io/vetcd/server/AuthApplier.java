package io.vetcd.server;

import com.google.protobuf.Message;
import io.vetcd.auth.AuthException;
import io.vetcd.auth.AuthInfo;
import io.vetcd.auth.AuthStore;
import io.vetcd.lease.Lease;
import io.vetcd.lease.Lessor;
import io.vetcd.mvcc.MvccStore;
import io.vetcd.pb.etcdserver.AuthDisableResponse;
import io.vetcd.pb.etcdserver.AuthEnableResponse;
import io.vetcd.pb.etcdserver.AuthRoleAddResponse;
import io.vetcd.pb.etcdserver.AuthRoleDeleteResponse;
import io.vetcd.pb.etcdserver.AuthRoleGetResponse;
import io.vetcd.pb.etcdserver.AuthRoleGrantPermissionResponse;
import io.vetcd.pb.etcdserver.AuthRoleListResponse;
import io.vetcd.pb.etcdserver.AuthRoleRevokePermissionResponse;
import io.vetcd.pb.etcdserver.AuthStatusResponse;
import io.vetcd.pb.etcdserver.AuthUserAddResponse;
import io.vetcd.pb.etcdserver.AuthUserChangePasswordResponse;
import io.vetcd.pb.etcdserver.AuthUserDeleteResponse;
import io.vetcd.pb.etcdserver.AuthUserGetResponse;
import io.vetcd.pb.etcdserver.AuthUserGrantRoleResponse;
import io.vetcd.pb.etcdserver.AuthUserListResponse;
import io.vetcd.pb.etcdserver.AuthUserRevokeRoleResponse;
import io.vetcd.pb.etcdserver.AuthenticateResponse;
import io.vetcd.pb.etcdserver.Compare;
import io.vetcd.pb.etcdserver.PutRequest;
import io.vetcd.pb.etcdserver.RequestOp;
import io.vetcd.pb.etcdserver.ResponseHeader;
import io.vetcd.pb.etcdserver.TxnRequest;
import io.vetcd.pb.internal.InternalRaftRequest;

/**
 * The auth half of applying an entry (etcd's authApplierV3): the caller named in the entry's header
 * must be allowed to do what the entry does, judged against the auth store as of this entry, so
 * every member reaches the same verdict; and the Auth service's own requests change or read the
 * auth store. Apply thread only.
 */
public final class AuthApplier {
    private final AuthStore auth;
    private final Lessor lessor;
    private final MvccStore store;

    AuthApplier(AuthStore auth, Lessor lessor, MvccStore store) {
        this.auth = auth;
        this.lessor = lessor;
        this.store = store;
    }

    public static boolean isAuthRequest(InternalRaftRequest r) {
        return r.hasAuthEnable() || r.hasAuthDisable() || r.hasAuthStatus() || r.hasAuthenticate()
            || r.hasAuthUserAdd() || r.hasAuthUserDelete() || r.hasAuthUserGet() || r.hasAuthUserChangePassword()
            || r.hasAuthUserGrantRole() || r.hasAuthUserRevokeRole() || r.hasAuthUserList() || r.hasAuthRoleList()
            || r.hasAuthRoleAdd() || r.hasAuthRoleDelete() || r.hasAuthRoleGet() || r.hasAuthRoleGrantPermission()
            || r.hasAuthRoleRevokePermission();
    }

    /** Requests only a root user may make (etcd 3.4.45's needAdminPermission). */
    private static boolean needsAdmin(InternalRaftRequest r) {
        return r.hasAuthEnable() || r.hasAuthDisable() || r.hasAuthStatus() || r.hasAuthUserAdd()
            || r.hasAuthUserDelete() || r.hasAuthUserChangePassword() || r.hasAuthUserGrantRole()
            || r.hasAuthUserRevokeRole() || r.hasAuthRoleAdd() || r.hasAuthRoleGrantPermission()
            || r.hasAuthRoleRevokePermission() || r.hasAuthRoleDelete() || r.hasAuthUserList() || r.hasAuthRoleList();
    }

    /**
     * Null if the entry's caller may make a KV or lease write; else the refusal (the entry then
     * changes nothing but the applied index).
     */
    EtcdException refuse(InternalRaftRequest req, AuthInfo ai) {
        if (!auth.enabled()) return null;
        try {
            if (req.hasPut()) checkPut(ai, req.getPut());
            else if (req.hasDeleteRange()) checkDelete(ai, req.getDeleteRange());
            else if (req.hasTxn()) checkTxn(ai, req.getTxn());
            else if (req.hasLeaseRevoke()) checkLeaseKeys(ai, req.getLeaseRevoke().getID());
            return null;
        } catch (AuthException e) {
            return EtcdError.of(e);
        }
    }

    /** Applies an Auth service request; returns its response, or the EtcdException its caller gets. */
    Object apply(InternalRaftRequest r, AuthInfo ai, long index) {
        try {
            if (needsAdmin(r)) {
                try {
                    auth.checkAdmin(ai);
                } catch (AuthException e) {
                    auth.commitNothing(index);
                    throw e;
                }
            }
            return dispatch(r, ai, index);
        } catch (AuthException e) {
            return EtcdError.of(e);
        }
    }

    private Message dispatch(InternalRaftRequest r, AuthInfo ai, long index) {
        if (r.hasAuthEnable()) {
            auth.applyEnable(index);
            return AuthEnableResponse.newBuilder().setHeader(header()).build();
        }
        if (r.hasAuthDisable()) {
            auth.applyDisable(index);
            return AuthDisableResponse.newBuilder().setHeader(header()).build();
        }
        if (r.hasAuthStatus()) {
            auth.commitNothing(index);
            return AuthStatusResponse.newBuilder().setHeader(header()).setEnabled(auth.enabled())
                .setAuthRevision(auth.revision()).build();
        }
        if (r.hasAuthenticate()) {
            var a = r.getAuthenticate();
            String token = auth.applyAuthenticate(a.getName(), a.getSimpleToken(), index);
            return AuthenticateResponse.newBuilder().setHeader(header()).setToken(token).build();
        }
        if (r.hasAuthUserAdd()) {
            var u = r.getAuthUserAdd();
            auth.applyUserAdd(u.getName(), u.getPassword(), u.hasOptions() && u.getOptions().getNoPassword(), index);
            return AuthUserAddResponse.newBuilder().setHeader(header()).build();
        }
        if (r.hasAuthUserDelete()) {
            auth.applyUserDelete(r.getAuthUserDelete().getName(), index);
            return AuthUserDeleteResponse.newBuilder().setHeader(header()).build();
        }
        if (r.hasAuthUserChangePassword()) {
            var c = r.getAuthUserChangePassword();
            auth.applyChangePassword(c.getName(), c.getPassword(), index);
            return AuthUserChangePasswordResponse.newBuilder().setHeader(header()).build();
        }
        if (r.hasAuthUserGrantRole()) {
            auth.applyGrantRole(r.getAuthUserGrantRole().getUser(), r.getAuthUserGrantRole().getRole(), index);
            return AuthUserGrantRoleResponse.newBuilder().setHeader(header()).build();
        }
        if (r.hasAuthUserRevokeRole()) {
            auth.applyRevokeRole(r.getAuthUserRevokeRole().getName(), r.getAuthUserRevokeRole().getRole(), index);
            return AuthUserRevokeRoleResponse.newBuilder().setHeader(header()).build();
        }
        if (r.hasAuthRoleAdd()) {
            auth.applyRoleAdd(r.getAuthRoleAdd().getName(), index);
            return AuthRoleAddResponse.newBuilder().setHeader(header()).build();
        }
        if (r.hasAuthRoleDelete()) {
            auth.applyRoleDelete(r.getAuthRoleDelete().getRole(), index);
            return AuthRoleDeleteResponse.newBuilder().setHeader(header()).build();
        }
        if (r.hasAuthRoleGrantPermission()) {
            var g = r.getAuthRoleGrantPermission();
            auth.applyGrantPermission(g.getName(), g.hasPerm() ? g.getPerm() : null, index);
            return AuthRoleGrantPermissionResponse.newBuilder().setHeader(header()).build();
        }
        if (r.hasAuthRoleRevokePermission()) {
            var g = r.getAuthRoleRevokePermission();
            auth.applyRevokePermission(g.getRole(), g.getKey(), g.getRangeEnd(), index);
            return AuthRoleRevokePermissionResponse.newBuilder().setHeader(header()).build();
        }
        // the reads: through raft as in etcd, so they are linearizable
        auth.commitNothing(index);
        if (r.hasAuthUserGet()) {
            String name = r.getAuthUserGet().getName();
            // a user may read their own entry
            if (!auth.isAdmin(ai) && !name.equals(ai.username())) auth.checkAdmin(ai);
            return AuthUserGetResponse.newBuilder().setHeader(header()).addAllRoles(auth.rolesOf(name)).build();
        }
        if (r.hasAuthRoleGet()) {
            String role = r.getAuthRoleGet().getRole();
            // a user may read a role they have
            if (!auth.isAdmin(ai) && !auth.hasRole(ai.username(), role)) auth.checkAdmin(ai);
            return AuthRoleGetResponse.newBuilder().setHeader(header()).addAllPerm(auth.permissionsOf(role)).build();
        }
        if (r.hasAuthUserList()) {
            return AuthUserListResponse.newBuilder().setHeader(header()).addAllUsers(auth.userNames()).build();
        }
        return AuthRoleListResponse.newBuilder().setHeader(header()).addAllRoles(auth.roleNames()).build();
    }

    private ResponseHeader header() {
        return ResponseHeader.newBuilder().setRevision(store.currentRevision()).build();
    }

    // ---- the KV checks of etcd 3.4.45's authApplierV3 (nested txns included) ----

    private void checkPut(AuthInfo ai, PutRequest p) {
        auth.checkPut(ai, p.getKey().toByteArray());
        // the lease may already hold keys this user cannot write: then they could not revoke it either
        if (p.getLease() != 0) checkLeaseKeys(ai, p.getLease());
        if (p.getPrevKv()) auth.checkRange(ai, p.getKey().toByteArray(), new byte[0]);
    }

    private void checkDelete(AuthInfo ai, io.vetcd.pb.etcdserver.DeleteRangeRequest d) {
        auth.checkDelete(ai, d.getKey().toByteArray(), d.getRangeEnd().toByteArray());
        if (d.getPrevKv()) auth.checkRange(ai, d.getKey().toByteArray(), d.getRangeEnd().toByteArray());
    }

    private void checkTxn(AuthInfo ai, TxnRequest t) {
        for (Compare c : t.getCompareList()) auth.checkRange(ai, c.getKey().toByteArray(), c.getRangeEnd().toByteArray());
        checkOps(ai, t.getSuccessList());
        checkOps(ai, t.getFailureList());
    }

    private void checkOps(AuthInfo ai, java.util.List<RequestOp> ops) {
        for (RequestOp op : ops) {
            switch (op.getRequestCase()) {
                case REQUEST_RANGE -> auth.checkRange(ai, op.getRequestRange().getKey().toByteArray(),
                    op.getRequestRange().getRangeEnd().toByteArray());
                case REQUEST_PUT -> checkPut(ai, op.getRequestPut());
                case REQUEST_DELETE_RANGE -> checkDelete(ai, op.getRequestDeleteRange());
                case REQUEST_TXN -> checkTxn(ai, op.getRequestTxn());
                default -> { }
            }
        }
    }

    /** Write permission on every key of a lease, unless the caller is an admin. */
    void checkLeaseKeys(AuthInfo ai, long leaseId) {
        Lease l = lessor.lookup(leaseId);
        if (l == null || auth.isAdmin(ai)) return;
        for (var key : l.keys()) auth.checkPut(ai, key.toByteArray());
    }

    /** Read permission on every key of a lease, unless the caller is an admin (TimeToLive with keys, Leases). */
    void checkLeaseKeysReadable(AuthInfo ai, long leaseId) {
        Lease l = lessor.lookup(leaseId);
        if (l == null || auth.isAdmin(ai)) return;
        for (var key : l.keys()) auth.checkRange(ai, key.toByteArray(), new byte[0]);
    }
}
