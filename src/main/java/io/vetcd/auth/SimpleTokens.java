package io.vetcd.auth;

import java.security.SecureRandom;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * etcd's simple tokens: 16 random letters, a dot, and the raft index of the Authenticate entry that
 * made it. Every member learns the token by applying that entry, so it is valid on any member once
 * that member has applied it. A token expires after {@code ttl} without use; each use renews it.
 * Not signed: anyone who sees one can use it until it expires (etcd logs the same warning).
 */
public final class SimpleTokens implements TokenProvider {
    private static final String LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    private static final int LENGTH = 16;

    private record Holder(String user, long expiresAtNanos) { }

    private final SecureRandom random = new SecureRandom();
    private final LongSupplier nanoClock;
    private final long ttlNanos;
    private final Map<String, Holder> tokens = new ConcurrentHashMap<>();
    private volatile boolean enabled;
    private long lastSweep;

    public SimpleTokens(long ttlSeconds, LongSupplier nanoClock) {
        this.ttlNanos = (ttlSeconds <= 0 ? 300 : ttlSeconds) * 1_000_000_000L;
        this.nanoClock = nanoClock;
    }

    @Override public void enable() { enabled = true; }

    @Override
    public void disable() {
        enabled = false;
        tokens.clear();
    }

    @Override
    public void invalidateUser(String user) {
        tokens.values().removeIf(h -> h.user.equals(user));
    }

    @Override
    public String newPrefix() {
        char[] c = new char[LENGTH];
        for (int i = 0; i < LENGTH; i++) c[i] = LETTERS.charAt(random.nextInt(LETTERS.length()));
        return new String(c);
    }

    @Override
    public String assign(String user, long authRevision, long index, String prefix) {
        String token = prefix + "." + index;
        if (enabled) {
            long now = nanoClock.getAsLong();
            tokens.put(token, new Holder(user, now + ttlNanos));
            sweep(now);
        }
        return token;
    }

    @Override
    public AuthInfo info(String token, long currentRevision) {
        Holder h = tokens.get(token);
        if (h == null) return null;
        long now = nanoClock.getAsLong();
        if (now - h.expiresAtNanos > 0) {
            tokens.remove(token, h);
            return null;
        }
        tokens.replace(token, h, new Holder(h.user, now + ttlNanos)); // used: renewed
        return new AuthInfo(h.user, currentRevision);
    }

    @Override
    public long createdAt(String token) {
        int dot = token.indexOf('.');
        if (dot < 0 || dot != token.lastIndexOf('.')) return -1;
        try {
            return Long.parseLong(token.substring(dot + 1));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    int size() { return tokens.size(); }

    /** Forgets expired tokens at most once a second, so unused tokens do not pile up. */
    private void sweep(long now) {
        synchronized (this) {
            if (now - lastSweep < 1_000_000_000L) return;
            lastSweep = now;
        }
        for (Iterator<Holder> it = tokens.values().iterator(); it.hasNext(); ) {
            if (now - it.next().expiresAtNanos > 0) it.remove();
        }
    }
}
