package io.vetcd.e2e;

import io.vetcd.testing.Cli;
import io.vetcd.testing.InJvmMember;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** etcdctl and curl against a member: status, members, version, the JSON gateway, and garbage. */
class EtcdctlTest {
    static InJvmMember member;

    @BeforeAll
    static void start() throws Exception {
        Assumptions.assumeTrue(Cli.available("etcdctl") && Cli.available("curl"), "etcd-client and curl are installed");
        member = InJvmMember.start();
    }

    @AfterAll
    static void stop() {
        if (member != null) member.close();
    }

    @Test
    void endpointStatusAndMemberList() {
        Cli.etcdctl(member.endpoint(), "put", "k", "v");
        Cli.Result status = Cli.etcdctl(member.endpoint(), "endpoint", "status", "-w", "json");
        assertEquals(0, status.exitCode(), status.output());
        assertTrue(status.output().contains("\"version\":\"3.4.23\""), status.output());
        assertTrue(status.output().contains("\"leader\":"), status.output());
        Cli.Result members = Cli.etcdctl(member.endpoint(), "member", "list");
        assertEquals(0, members.exitCode(), members.output());
        assertTrue(members.output().contains("started, test, http://127.0.0.1:" + member.peerPort + ", " + member.endpoint() + ", false"),
            members.output());
        Cli.Result health = Cli.etcdctl(member.endpoint(), "endpoint", "health");
        assertTrue(health.output().contains("is healthy"), health.output());
    }

    @Test
    void versionAndHealthOverHttp() {
        Cli.Result v = Cli.run(List.of("curl", "-s", member.endpoint() + "/version"));
        assertEquals("{\"etcdserver\":\"3.4.23\",\"etcdcluster\":\"3.4.0\"}", v.output().trim());
        Cli.Result h = Cli.run(List.of("curl", "-s", member.endpoint() + "/health"));
        assertEquals("{\"health\":\"true\"}", h.output().trim());
    }

    @Test
    void jsonGatewayPutRangeAndErrors() {
        // "foo" and "bar" in base64, as etcd's gateway expects bytes
        Cli.Result put = Cli.run(List.of("curl", "-s", "-X", "POST", member.endpoint() + "/v3/kv/put", "-d", "{\"key\":\"Zm9v\",\"value\":\"YmFy\"}"));
        assertTrue(put.output().contains("\"revision\":\""), put.output());
        Cli.Result range = Cli.run(List.of("curl", "-s", "-X", "POST", member.endpoint() + "/v3beta/kv/range", "-d", "{\"key\":\"Zm9v\"}"));
        assertTrue(range.output().contains("\"value\":\"YmFy\""), range.output());
        assertTrue(range.output().contains("\"count\":\"1\""), range.output());
        Cli.Result bad = Cli.run(List.of("curl", "-s", "-w", "%{http_code}", "-X", "POST", member.endpoint() + "/v3/kv/put", "-d", "{not json"));
        assertTrue(bad.output().endsWith("400"), bad.output());
        assertTrue(bad.output().contains("\"code\":3"), bad.output());
        Cli.Result empty = Cli.run(List.of("curl", "-s", "-X", "POST", member.endpoint() + "/v3/kv/put", "-d", "{\"value\":\"YmFy\"}"));
        assertTrue(empty.output().contains("etcdserver: key is not provided"), empty.output());
    }

    @Test
    void garbageOnThePortDoesNotHurt() throws Exception {
        try (Socket s = new Socket("127.0.0.1", member.clientPort)) {
            OutputStream out = s.getOutputStream();
            out.write("\u0000\u0001garbage\r\n\r\nPRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\u00ff\u00ff\u00ff\u00ff".getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        }
        Cli.Result r = Cli.etcdctl(member.endpoint(), "put", "after-garbage", "ok");
        assertEquals(0, r.exitCode(), r.output());
        assertTrue(Cli.etcdctl(member.endpoint(), "get", "after-garbage").output().contains("ok"));
    }
}
