package io.vetcd.e2e;

import io.vetcd.testing.Cli;
import io.vetcd.testing.ServerProcess;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code --host-whitelist}, {@code --cors} and {@code --enable-grpc-gateway=false} on the client
 * port's HTTP paths, against a real etcd 3.4 with the same flags, through curl: status, the
 * CORS headers, and the body of the refusal.
 */
class HttpAccessDifferentialTest {
    @BeforeAll
    static void tools() {
        Assumptions.assumeTrue(Cli.available("etcd") && Cli.available("curl"), "etcd-server and curl are installed");
    }

    /** Status line, CORS headers and body (headers lower-cased, sorted). */
    private static String curl(ServerProcess s, String... args) {
        List<String> cmd = new java.util.ArrayList<>(List.of("curl", "-s", "-i", "--max-time", "5"));
        cmd.addAll(List.of(args));
        cmd.set(cmd.size() - 1, "http://127.0.0.1:" + s.clientPort + cmd.get(cmd.size() - 1));
        String out = Cli.run(cmd).output().replace("\r", "");
        int split = out.indexOf("\n\n");
        String head = split < 0 ? out : out.substring(0, split);
        String body = split < 0 ? "" : out.substring(split + 2);
        String[] lines = head.split("\n");
        String status = lines[0].replaceAll("^HTTP/\\S+ (\\d+).*", "$1");
        String cors = java.util.Arrays.stream(lines).map(String::toLowerCase).filter(l -> l.startsWith("access-control-"))
            .sorted().collect(Collectors.joining("\n"));
        return status + "\n" + cors + "\n" + body;
    }

    /** Status and CORS headers, without the body. */
    private static String head(String curlOutput) {
        StringBuilder out = new StringBuilder();
        for (String l : curlOutput.split("\n")) {
            if (out.length() == 0 || l.startsWith("access-control-")) out.append(l).append('\n');
        }
        return out.toString();
    }

    @Test
    void hostWhitelistAndCorsAsEtcd() throws Exception {
        String[] flags = {"--host-whitelist", "example.com", "--cors", "http://a.example:8080"};
        try (ServerProcess etcd = ServerProcess.realEtcd(flags); ServerProcess vetcd = ServerProcess.vetcd(flags)) {
            String refused = curl(etcd, "/version");
            assertTrue(refused.startsWith("421"), refused);
            assertEquals(refused, curl(vetcd, "/version"));
            String[] allowed = {"-H", "Host: example.com", "-H", "Origin: http://a.example:8080", "/version"};
            String e = curl(etcd, allowed);
            assertTrue(e.contains("access-control-allow-origin: http://a.example:8080"), e);
            assertEquals(head(e), head(curl(vetcd, allowed))); // the /version bodies name different versions
            String[] otherOrigin = {"-H", "Host: example.com", "-H", "Origin: http://b.example:8080", "/health"};
            assertEquals(curl(etcd, otherOrigin), curl(vetcd, otherOrigin));
            String[] options = {"-X", "OPTIONS", "-H", "Host: example.com", "-H", "Origin: http://a.example:8080", "/v3/kv/range"};
            assertEquals(curl(etcd, options), curl(vetcd, options));
        }
    }

    @Test
    void defaultCorsAllowsAllAndGatewayCanBeTurnedOff() throws Exception {
        String[] flags = {"--enable-grpc-gateway=false"};
        try (ServerProcess etcd = ServerProcess.realEtcd(flags); ServerProcess vetcd = ServerProcess.vetcd(flags)) {
            String[] range = {"-X", "POST", "-d", "{\"key\":\"Zm9v\"}", "/v3/kv/range"};
            String e = curl(etcd, range);
            assertTrue(e.startsWith("404\naccess-control-allow-headers: accept, content-type, authorization"), e);
            assertEquals(head(e), head(curl(vetcd, range))); // Go's and Vert.x's 404 pages differ
            String health = curl(etcd, "/health");
            assertEquals(health, curl(vetcd, "/health"));
        }
    }
}
