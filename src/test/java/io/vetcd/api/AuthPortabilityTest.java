package io.vetcd.api;

import io.vetcd.testing.Cli;
import io.vetcd.testing.Ports;
import io.vetcd.testing.ServerProcess;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Users, roles, passwords and the auth switch go wherever the data goes: through kill -9 of a
 * vetcd member, through {@code etcdctl snapshot save} of vetcd into a real etcd, and from a real
 * etcd's snapshot back into vetcd. bcrypt hashes are copied, not re-made, so the same passwords work.
 */
class AuthPortabilityTest {
    @TempDir
    Path tmp;

    private static String ok(Cli.Result r) {
        assertEquals(0, r.exitCode(), r.output());
        return r.output();
    }

    private static void setUpAuth(String ep) {
        ok(Cli.etcdctl(ep, "user", "add", "root:rootpw"));
        ok(Cli.etcdctl(ep, "role", "add", "app"));
        ok(Cli.etcdctl(ep, "role", "grant-permission", "app", "--prefix=true", "readwrite", "app/"));
        ok(Cli.etcdctl(ep, "user", "add", "svc:svcpw"));
        ok(Cli.etcdctl(ep, "user", "grant-role", "svc", "app"));
        ok(Cli.etcdctl(ep, "put", "secret", "s"));
        ok(Cli.etcdctl(ep, "auth", "enable"));
        ok(Cli.etcdctl(ep, "--user", "svc:svcpw", "put", "app/k", "v"));
    }

    /** What a user may and may not do: the same on every server that holds this auth state. */
    private static void assertAuthState(String ep) {
        assertAuthState(ep, "svcpw");
    }

    private static void assertAuthState(String ep, String svcPassword) {
        assertTrue(ok(Cli.etcdctl(ep, "--user", "svc:" + svcPassword, "get", "app/k")).contains("v"));
        Cli.Result denied = Cli.etcdctl(ep, "--user", "svc:" + svcPassword, "get", "secret");
        assertTrue(denied.exitCode() != 0 && denied.output().contains("permission denied"), denied.output());
        Cli.Result wrong = Cli.etcdctl(ep, "--user", "svc:nope", "get", "app/k");
        assertTrue(wrong.exitCode() != 0 && wrong.output().contains("authentication failed"), wrong.output());
        Cli.Result anonymous = Cli.etcdctl(ep, "get", "secret");
        assertTrue(anonymous.exitCode() != 0 && anonymous.output().contains("user name is empty"), anonymous.output());
        assertTrue(ok(Cli.etcdctl(ep, "--user", "root:rootpw", "get", "secret")).contains("s"));
        String users = ok(Cli.etcdctl(ep, "--user", "root:rootpw", "user", "list"));
        assertEquals("root\nsvc\n", users);
        assertTrue(ok(Cli.etcdctl(ep, "--user", "root:rootpw", "role", "get", "app")).contains("[app/, app0)"));
    }

    @Test
    void usersSurviveKill9() throws Exception {
        Assumptions.assumeTrue(Cli.available("etcdctl"), "etcd-client is installed");
        Path data = tmp.resolve("v");
        int c = Ports.free();
        int p = Ports.free();
        try (ServerProcess vetcd = ServerProcess.vetcd(data, c, p)) {
            setUpAuth(vetcd.endpoint());
            vetcd.kill9();
        }
        try (ServerProcess vetcd = ServerProcess.vetcd(data, c, p)) {
            withLog(vetcd, () -> assertAuthState(vetcd.endpoint()));
        }
    }

    @Test
    void usersGoFromVetcdToEtcdAndBackBySnapshot() throws Exception {
        Assumptions.assumeTrue(Cli.available("etcd") && Cli.available("etcdctl"), "etcd-server and etcd-client are installed");
        Path vetcdSnap = tmp.resolve("from-vetcd.db");
        try (ServerProcess vetcd = ServerProcess.vetcd(tmp.resolve("v1"), Ports.free(), Ports.free())) {
            setUpAuth(vetcd.endpoint());
            ok(Cli.etcdctl(vetcd.endpoint(), "--user", "root:rootpw", "snapshot", "save", vetcdSnap.toString()));
        }
        int c = Ports.free();
        int p = Ports.free();
        Path etcdData = restore(vetcdSnap, "etcd-restored", p);
        Path etcdSnap = tmp.resolve("from-etcd.db");
        try (ServerProcess etcd = ServerProcess.realEtcdOn(etcdData, c, p)) {
            withLog(etcd, () -> assertAuthState(etcd.endpoint()));
            // a change made by real etcd travels back
            ok(Cli.etcdctlWithInput(etcd.endpoint(), "svcpw2\n", "--user", "root:rootpw", "user", "passwd", "svc", "--interactive=false"));
            ok(Cli.etcdctl(etcd.endpoint(), "--user", "root:rootpw", "snapshot", "save", etcdSnap.toString()));
        }
        int c2 = Ports.free();
        int p2 = Ports.free();
        Path vetcdData = restore(etcdSnap, "vetcd-restored", p2);
        try (ServerProcess vetcd = ServerProcess.vetcd(vetcdData, c2, p2)) {
            withLog(vetcd, () -> assertAuthState(vetcd.endpoint(), "svcpw2"));
        }
    }

    /** A failed check says what the server logged meanwhile (a CI run once saw a call unanswered for 20 s). */
    private static void withLog(ServerProcess server, Runnable checks) {
        try {
            checks.run();
        } catch (AssertionError e) {
            String log = server.output();
            throw new AssertionError(e.getMessage() + "\n--- server log (last 8000 chars) ---\n"
                + log.substring(Math.max(0, log.length() - 8000)), e);
        }
    }

    private Path restore(Path snap, String name, int peer) {
        Path dir = tmp.resolve(name);
        ok(Cli.run(List.of("etcdctl", "snapshot", "restore", snap.toString(), "--name", "node1", "--data-dir", dir.toString(),
            "--initial-cluster", "node1=http://127.0.0.1:" + peer, "--initial-advertise-peer-urls", "http://127.0.0.1:" + peer)));
        return dir;
    }
}
