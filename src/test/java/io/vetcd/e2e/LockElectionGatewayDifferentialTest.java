package io.vetcd.e2e;

import io.vetcd.testing.AgainstRealEtcd;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The Lock and Election JSON routes against a real etcd 3.4 and against vetcd: status and body
 * must match once ids that differ by construction (cluster, member, term, lease) are masked.
 */
class LockElectionGatewayDifferentialTest extends AgainstRealEtcd {
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    static String b64(String s) { return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8)); }

    /** path, body: requests that need no lease of their own. */
    static final List<String[]> STEPS = List.of(
        new String[]{"/v3/election/leader", "{\"name\":\"" + b64("nobody") + "\"}"},
        new String[]{"/v3/election/proclaim", "{}"},
        new String[]{"/v3beta/election/resign", "{}"},
        new String[]{"/v3/kv/put", "{\"key\":\"" + b64("el/holder") + "\",\"value\":\"" + b64("v") + "\"}"},
        new String[]{"/v3/election/leader", "{\"name\":\"" + b64("el") + "\"}"},
        new String[]{"/v3/election/proclaim", "{\"leader\":{\"name\":\"" + b64("el") + "\",\"key\":\"" + b64("el/holder")
            + "\",\"rev\":\"1\"},\"value\":\"" + b64("x") + "\"}"},
        new String[]{"/v3/election/proclaim", "{\"leader\":{\"name\":\"" + b64("el") + "\",\"key\":\"" + b64("el/holder")
            + "\",\"rev\":\"2\",\"lease\":\"-1\"},\"value\":\"" + b64("x") + "\"}"},
        new String[]{"/v3/election/leader", "{\"name\":\"" + b64("el") + "\"}"},
        new String[]{"/v3/election/resign", "{\"leader\":{\"name\":\"" + b64("el") + "\",\"key\":\"" + b64("el/holder")
            + "\",\"rev\":\"99\"}}"},
        new String[]{"/v3/election/resign", "{\"leader\":{\"name\":\"" + b64("el") + "\",\"key\":\"" + b64("el/holder")
            + "\",\"rev\":\"2\"}}"},
        new String[]{"/v3/election/leader", "{\"name\":\"" + b64("el") + "\"}"},
        new String[]{"/v3/lock/lock", "{\"name\":\"" + b64("lk") + "\",\"lease\":\"1234\"}"},
        new String[]{"/v3/lock/unlock", "{}"},
        new String[]{"/v3/lock/unlock", "{\"key\":\"" + b64("lk/none") + "\"}"}
    );

    @Test
    void jsonRoutesMatchRealEtcd() throws Exception {
        List<String> expected = run(etcd.endpoint());
        List<String> actual = run(vetcd.endpoint());
        for (int i = 0; i < STEPS.size(); i++) {
            assertEquals(expected.get(i), actual.get(i), "step " + i + ": " + STEPS.get(i)[0] + " " + STEPS.get(i)[1]);
        }
    }

    private static List<String> run(String endpoint) throws Exception {
        List<String> out = new ArrayList<>();
        for (String[] s : STEPS) {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(endpoint + s[0]))
                .timeout(Duration.ofSeconds(10)).POST(HttpRequest.BodyPublishers.ofString(s[1])).build(),
                HttpResponse.BodyHandlers.ofString());
            out.add(r.statusCode() + " " + mask(r.body()));
        }
        return out;
    }

    private static final Pattern B64 = Pattern.compile("\"(key|name)\":\"([A-Za-z0-9+/=]*)\"");

    /** Ids differ by construction; keys are shown decoded with a lease suffix masked. */
    static String mask(String s) {
        s = s.replaceAll("\"cluster_id\":\"\\d+\"", "\"cluster_id\":\"ID\"")
            .replaceAll("\"member_id\":\"\\d+\"", "\"member_id\":\"ID\"")
            .replaceAll("\"raft_term\":\"\\d+\"", "\"raft_term\":\"N\"")
            .replaceAll("\"lease\":\"-?\\d+\"", "\"lease\":\"L\"");
        Matcher m = B64.matcher(s);
        StringBuilder b = new StringBuilder();
        while (m.find()) {
            String k = new String(Base64.getDecoder().decode(m.group(2)), StandardCharsets.UTF_8)
                .replaceAll("/[0-9a-f]+$", "/LEASE");
            m.appendReplacement(b, Matcher.quoteReplacement("\"" + m.group(1) + "\":\"" + k + "\""));
        }
        m.appendTail(b);
        return s.isEmpty() ? s : b.toString();
    }
}
