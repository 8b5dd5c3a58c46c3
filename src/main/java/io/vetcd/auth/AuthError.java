package io.vetcd.auth;

/**
 * Why the auth store refused something. Each constant has a twin of the same name in the
 * server's {@code EtcdError}, which carries etcd's gRPC code and text; this package knows only the reason.
 */
public enum AuthError {
    ROOT_USER_NOT_EXIST,
    ROOT_ROLE_NOT_EXIST,
    USER_ALREADY_EXIST,
    USER_EMPTY,
    USER_NOT_FOUND,
    ROLE_ALREADY_EXIST,
    ROLE_NOT_FOUND,
    ROLE_EMPTY,
    AUTH_FAILED,
    PERMISSION_DENIED,
    ROLE_NOT_GRANTED,
    PERMISSION_NOT_GRANTED,
    PERMISSION_NOT_GIVEN,
    AUTH_NOT_ENABLED,
    INVALID_AUTH_TOKEN,
    INVALID_AUTH_MGMT,
    AUTH_OLD_REVISION;

    public AuthException exception() {
        return new AuthException(this);
    }
}
