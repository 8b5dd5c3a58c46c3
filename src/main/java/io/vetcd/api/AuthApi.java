package io.vetcd.api;

import io.vertx.core.Future;
import io.vertx.grpc.server.GrpcServer;
import io.vetcd.auth.AuthInfo;
import io.vetcd.pb.etcdserver.AuthDisableRequest;
import io.vetcd.pb.etcdserver.AuthDisableResponse;
import io.vetcd.pb.etcdserver.AuthEnableRequest;
import io.vetcd.pb.etcdserver.AuthEnableResponse;
import io.vetcd.pb.etcdserver.AuthGrpcService;
import io.vetcd.pb.etcdserver.AuthRoleAddRequest;
import io.vetcd.pb.etcdserver.AuthRoleAddResponse;
import io.vetcd.pb.etcdserver.AuthRoleDeleteRequest;
import io.vetcd.pb.etcdserver.AuthRoleDeleteResponse;
import io.vetcd.pb.etcdserver.AuthRoleGetRequest;
import io.vetcd.pb.etcdserver.AuthRoleGetResponse;
import io.vetcd.pb.etcdserver.AuthRoleGrantPermissionRequest;
import io.vetcd.pb.etcdserver.AuthRoleGrantPermissionResponse;
import io.vetcd.pb.etcdserver.AuthRoleListRequest;
import io.vetcd.pb.etcdserver.AuthRoleListResponse;
import io.vetcd.pb.etcdserver.AuthRoleRevokePermissionRequest;
import io.vetcd.pb.etcdserver.AuthRoleRevokePermissionResponse;
import io.vetcd.pb.etcdserver.AuthStatusRequest;
import io.vetcd.pb.etcdserver.AuthStatusResponse;
import io.vetcd.pb.etcdserver.AuthUserAddRequest;
import io.vetcd.pb.etcdserver.AuthUserAddResponse;
import io.vetcd.pb.etcdserver.AuthUserChangePasswordRequest;
import io.vetcd.pb.etcdserver.AuthUserChangePasswordResponse;
import io.vetcd.pb.etcdserver.AuthUserDeleteRequest;
import io.vetcd.pb.etcdserver.AuthUserDeleteResponse;
import io.vetcd.pb.etcdserver.AuthUserGetRequest;
import io.vetcd.pb.etcdserver.AuthUserGetResponse;
import io.vetcd.pb.etcdserver.AuthUserGrantRoleRequest;
import io.vetcd.pb.etcdserver.AuthUserGrantRoleResponse;
import io.vetcd.pb.etcdserver.AuthUserListRequest;
import io.vetcd.pb.etcdserver.AuthUserListResponse;
import io.vetcd.pb.etcdserver.AuthUserRevokeRoleRequest;
import io.vetcd.pb.etcdserver.AuthUserRevokeRoleResponse;
import io.vetcd.pb.etcdserver.AuthenticateRequest;
import io.vetcd.pb.etcdserver.AuthenticateResponse;
import io.vetcd.pb.internal.InternalRaftRequest;
import io.vetcd.server.EtcdServer;

/**
 * etcdserverpb.Auth: users, roles, permissions, enabling auth and logging in. Every call but
 * Authenticate becomes a raft entry whose caller is checked when it is applied (so a follower
 * answers exactly as the leader would); Authenticate checks the password first, off the event loop.
 */
public final class AuthApi {
    private final EtcdServer server;

    public AuthApi(EtcdServer server) {
        this.server = server;
    }

    public void bind(GrpcServer grpc, Callers callers) {
        AuthedCalls.unary(grpc, callers, AuthGrpcService.AuthEnable, this::authEnable);
        AuthedCalls.unary(grpc, callers, AuthGrpcService.AuthDisable, this::authDisable);
        AuthedCalls.unary(grpc, callers, AuthGrpcService.AuthStatus, this::authStatus);
        AuthedCalls.unary(grpc, callers, AuthGrpcService.Authenticate, this::authenticate);
        AuthedCalls.unary(grpc, callers, AuthGrpcService.UserAdd, this::userAdd);
        AuthedCalls.unary(grpc, callers, AuthGrpcService.UserGet, this::userGet);
        AuthedCalls.unary(grpc, callers, AuthGrpcService.UserList, this::userList);
        AuthedCalls.unary(grpc, callers, AuthGrpcService.UserDelete, this::userDelete);
        AuthedCalls.unary(grpc, callers, AuthGrpcService.UserChangePassword, this::userChangePassword);
        AuthedCalls.unary(grpc, callers, AuthGrpcService.UserGrantRole, this::userGrantRole);
        AuthedCalls.unary(grpc, callers, AuthGrpcService.UserRevokeRole, this::userRevokeRole);
        AuthedCalls.unary(grpc, callers, AuthGrpcService.RoleAdd, this::roleAdd);
        AuthedCalls.unary(grpc, callers, AuthGrpcService.RoleGet, this::roleGet);
        AuthedCalls.unary(grpc, callers, AuthGrpcService.RoleList, this::roleList);
        AuthedCalls.unary(grpc, callers, AuthGrpcService.RoleDelete, this::roleDelete);
        AuthedCalls.unary(grpc, callers, AuthGrpcService.RoleGrantPermission, this::roleGrantPermission);
        AuthedCalls.unary(grpc, callers, AuthGrpcService.RoleRevokePermission, this::roleRevokePermission);
    }

    public Future<AuthenticateResponse> authenticate(AuthInfo ai, AuthenticateRequest r) {
        return server.authenticate(r).recover(GrpcErrors::fail);
    }

    public Future<AuthEnableResponse> authEnable(AuthInfo ai, AuthEnableRequest r) {
        return call(ai, InternalRaftRequest.newBuilder().setAuthEnable(r));
    }

    public Future<AuthDisableResponse> authDisable(AuthInfo ai, AuthDisableRequest r) {
        return call(ai, InternalRaftRequest.newBuilder().setAuthDisable(r));
    }

    public Future<AuthStatusResponse> authStatus(AuthInfo ai, AuthStatusRequest r) {
        return call(ai, InternalRaftRequest.newBuilder().setAuthStatus(r));
    }

    public Future<AuthUserAddResponse> userAdd(AuthInfo ai, AuthUserAddRequest r) {
        return call(ai, InternalRaftRequest.newBuilder().setAuthUserAdd(r));
    }

    public Future<AuthUserGetResponse> userGet(AuthInfo ai, AuthUserGetRequest r) {
        return call(ai, InternalRaftRequest.newBuilder().setAuthUserGet(r));
    }

    public Future<AuthUserListResponse> userList(AuthInfo ai, AuthUserListRequest r) {
        return call(ai, InternalRaftRequest.newBuilder().setAuthUserList(r));
    }

    public Future<AuthUserDeleteResponse> userDelete(AuthInfo ai, AuthUserDeleteRequest r) {
        return call(ai, InternalRaftRequest.newBuilder().setAuthUserDelete(r));
    }

    public Future<AuthUserChangePasswordResponse> userChangePassword(AuthInfo ai, AuthUserChangePasswordRequest r) {
        return call(ai, InternalRaftRequest.newBuilder().setAuthUserChangePassword(r));
    }

    public Future<AuthUserGrantRoleResponse> userGrantRole(AuthInfo ai, AuthUserGrantRoleRequest r) {
        return call(ai, InternalRaftRequest.newBuilder().setAuthUserGrantRole(r));
    }

    public Future<AuthUserRevokeRoleResponse> userRevokeRole(AuthInfo ai, AuthUserRevokeRoleRequest r) {
        return call(ai, InternalRaftRequest.newBuilder().setAuthUserRevokeRole(r));
    }

    public Future<AuthRoleAddResponse> roleAdd(AuthInfo ai, AuthRoleAddRequest r) {
        return call(ai, InternalRaftRequest.newBuilder().setAuthRoleAdd(r));
    }

    public Future<AuthRoleGetResponse> roleGet(AuthInfo ai, AuthRoleGetRequest r) {
        return call(ai, InternalRaftRequest.newBuilder().setAuthRoleGet(r));
    }

    public Future<AuthRoleListResponse> roleList(AuthInfo ai, AuthRoleListRequest r) {
        return call(ai, InternalRaftRequest.newBuilder().setAuthRoleList(r));
    }

    public Future<AuthRoleDeleteResponse> roleDelete(AuthInfo ai, AuthRoleDeleteRequest r) {
        return call(ai, InternalRaftRequest.newBuilder().setAuthRoleDelete(r));
    }

    public Future<AuthRoleGrantPermissionResponse> roleGrantPermission(AuthInfo ai, AuthRoleGrantPermissionRequest r) {
        return call(ai, InternalRaftRequest.newBuilder().setAuthRoleGrantPermission(r));
    }

    public Future<AuthRoleRevokePermissionResponse> roleRevokePermission(AuthInfo ai, AuthRoleRevokePermissionRequest r) {
        return call(ai, InternalRaftRequest.newBuilder().setAuthRoleRevokePermission(r));
    }

    private <T extends com.google.protobuf.Message> Future<T> call(AuthInfo ai, InternalRaftRequest.Builder req) {
        return server.<T>authRequest(ai, req).recover(GrpcErrors::fail);
    }
}
