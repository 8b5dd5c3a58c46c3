package io.vetcd.auth;

/**
 * Why the auth store refused something. Each constant has a twin of the same name in the
 * server's {@code EtcdError}, which carries etcd's gRPC code and text; this package knows only the reason.
 */
public enum AuthError {
    ROOT_USER_NOT_EXIST("auth: root user does not exist"),
    ROOT_ROLE_NOT_EXIST("auth: root user does not have root role"),
    USER_ALREADY_EXIST("auth: user already exists"),
    USER_EMPTY("auth: user name is empty"),
    USER_NOT_FOUND("auth: user not found"),
    ROLE_ALREADY_EXIST("auth: role already exists"),
    ROLE_NOT_FOUND("auth: role not found"),
    ROLE_EMPTY("auth: role name is empty"),
    AUTH_FAILED("auth: authentication failed, invalid user ID or password"),
    PERMISSION_DENIED("auth: permission denied"),
    ROLE_NOT_GRANTED("auth: role is not granted to the user"),
    PERMISSION_NOT_GRANTED("auth: permission is not granted to the role"),
    PERMISSION_NOT_GIVEN("auth: permission not given"),
    AUTH_NOT_ENABLED("auth: authentication is not enabled"),
    INVALID_AUTH_TOKEN("auth: invalid auth token"),
    INVALID_AUTH_MGMT("auth: invalid auth management"),
    AUTH_OLD_REVISION("auth: revision in header is old");

    /** The auth store's own words (etcd's auth.Err*), which a few etcd paths hand to clients as they are. */
    public final String text;

    AuthError(String text) {
        this.text = text;
    }

    public AuthException exception() {
        return new AuthException(this);
    }
}
