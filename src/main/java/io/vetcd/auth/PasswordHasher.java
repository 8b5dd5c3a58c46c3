package io.vetcd.auth;

import org.bouncycastle.crypto.generators.OpenBSDBCrypt;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;

/**
 * bcrypt, as etcd stores passwords ("$2a$" hashes of the password's bytes, {@code --bcrypt-cost}),
 * so a store restored by either implementation checks the other's hashes. Deliberately slow
 * (~50-100 ms at cost 10): callers run it on a worker or the apply thread, never an event loop.
 */
public final class PasswordHasher {
    public static final int MIN_COST = 4;
    public static final int MAX_COST = 31;
    public static final int DEFAULT_COST = 10;

    private final SecureRandom random = new SecureRandom();
    private final int cost;

    public PasswordHasher(int cost) {
        // etcd falls back to the default for a cost bcrypt does not accept
        this.cost = cost < MIN_COST || cost > MAX_COST ? DEFAULT_COST : cost;
    }

    public int cost() { return cost; }

    public byte[] hash(String password) {
        byte[] salt = new byte[16];
        random.nextBytes(salt);
        return OpenBSDBCrypt.generate("2a", bytes(password), salt, cost).getBytes(StandardCharsets.US_ASCII);
    }

    public static boolean matches(byte[] hash, String password) {
        if (hash == null || hash.length == 0) return false;
        try {
            return OpenBSDBCrypt.checkPassword(new String(hash, StandardCharsets.US_ASCII), bytes(password));
        } catch (IllegalArgumentException | org.bouncycastle.crypto.DataLengthException e) {
            return false; // a damaged or foreign hash matches nothing
        }
    }

    /** bcrypt reads at most 72 bytes of a password, as Go's implementation did in etcd 3.4. */
    private static byte[] bytes(String password) {
        byte[] b = password.getBytes(StandardCharsets.UTF_8);
        return b.length > 72 ? java.util.Arrays.copyOf(b, 72) : b;
    }
}
