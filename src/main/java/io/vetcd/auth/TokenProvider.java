package io.vetcd.auth;

/**
 * How Authenticate's answer is made and later recognised (etcd's {@code --auth-token}): simple
 * tokens live in each member's memory, JWTs carry their own claims and signature.
 */
public interface TokenProvider {
    /** Auth was turned on (also at start-up when it already was). */
    default void enable() { }

    /** Auth was turned off: every token handed out so far stops working. */
    default void disable() { }

    /** The user was deleted or got a new password: their tokens stop working. */
    default void invalidateUser(String user) { }

    /** What the proposer puts into the Authenticate entry (simple tokens: the random part); "" if nothing. */
    default String newPrefix() { return ""; }

    /** The token for {@code user}, made when the Authenticate entry at {@code index} is applied. */
    String assign(String user, long authRevision, long index, String prefix);

    /** Who {@code token} is, or null if it is not valid (any more); {@code currentRevision}: the store's now. */
    AuthInfo info(String token, long currentRevision);

    /**
     * The raft index a token was created at, if this member might just not have applied it yet
     * (simple tokens); -1 when waiting would not help.
     */
    default long createdAt(String token) { return -1; }
}
