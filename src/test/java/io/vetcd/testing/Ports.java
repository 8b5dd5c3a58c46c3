package io.vetcd.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Free loopback ports for test servers, so parallel runs don't collide. They are taken below the
 * kernel's ephemeral range (32768+ here): a port the OS hands out for "any free port" is also what
 * it hands to outgoing connections, and members redialing stopped peers make many of those, so
 * such a port could be taken between the check and the server's bind. 20000-20099 is left to
 * etcd's e2e suite, which uses fixed ports there.
 */
public final class Ports {
    private static final int LOW = 21000;
    private static final int HIGH = 32000;
    /** Handed out already in this JVM: two members of one test must not get the same port. */
    private static final java.util.Set<Integer> GIVEN = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private Ports() {}

    public static int free() {
        for (int attempt = 0; attempt < 200; attempt++) {
            int port = ThreadLocalRandom.current().nextInt(LOW, HIGH);
            if (!GIVEN.add(port)) continue;
            try (ServerSocket s = new ServerSocket()) {
                s.setReuseAddress(true);
                s.bind(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1);
                return port;
            } catch (IOException busy) {
                // taken: try another
            }
        }
        throw new IllegalStateException("no free loopback port in " + LOW + "-" + HIGH);
    }
}
