package io.vetcd.auth;

/**
 * Who a request acts for: a user name and the auth revision its credentials were checked at.
 * {@link #NONE} is a request without credentials; with auth on, it may do nothing that needs a user.
 */
public record AuthInfo(String username, long revision) {
    public static final AuthInfo NONE = new AuthInfo("", 0);

    public boolean isEmpty() { return username.isEmpty(); }
}
