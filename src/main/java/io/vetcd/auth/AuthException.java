package io.vetcd.auth;

/** A refusal of the auth store; cheap (no stack trace), because wrong passwords and denials are routine. */
public final class AuthException extends RuntimeException {
    private final AuthError error;

    public AuthException(AuthError error) {
        super(error.name(), null, false, false);
        this.error = error;
    }

    public AuthError error() { return error; }
}
