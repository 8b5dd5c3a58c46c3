package io.vetcd.e2e;

import io.vetcd.testing.AgainstRealEtcd;
import io.vetcd.testing.Cli;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * etcdctl's lease commands against a real etcd 3.4 and against vetcd: same
 * outputs once lease ids (chosen by each server), member/cluster ids, terms
 * and second-granular remaining TTLs are masked.
 */
class EtcdctlLeaseDifferentialTest extends AgainstRealEtcd {

    /** {id} in an argument is the id of the last lease granted in the sequence. */
    static final List<List<String>> SEQUENCE = List.of(
        List.of("lease", "grant", "10"),
        List.of("put", "--lease={id}", "k1", "v1"),
        List.of("put", "--lease={id}", "k2", "v2"),
        List.of("put", "--ignore-lease", "k2", "v3"),
        List.of("lease", "timetolive", "--keys", "{id}"),
        List.of("lease", "timetolive", "{id}"),
        List.of("lease", "timetolive", "--keys", "-w", "json", "{id}"),
        List.of("lease", "list"),
        List.of("lease", "list", "-w", "json"),
        List.of("lease", "keep-alive", "--once", "{id}"),
        List.of("get", "-w", "json", "k2"),
        List.of("lease", "revoke", "{id}"),
        List.of("get", "--prefix", "k"),
        List.of("get", "-w", "json", "--prefix", "k"),
        List.of("lease", "timetolive", "{id}"),
        List.of("lease", "revoke", "{id}"),
        List.of("lease", "keep-alive", "--once", "{id}"),
        List.of("lease", "timetolive", "4d2"),
        List.of("put", "--lease=4d2", "k3", "v"),
        List.of("lease", "grant", "1"),
        List.of("lease", "grant", "9000000001"),
        List.of("lease", "list")
    );

    @Test
    void leaseCommandsMatchRealEtcd() {
        List<String> expected = run(etcd.endpoint());
        List<String> actual = run(vetcd.endpoint());
        for (int i = 0; i < SEQUENCE.size(); i++) {
            assertEquals(expected.get(i), actual.get(i), "step " + i + ": etcdctl " + String.join(" ", SEQUENCE.get(i)));
        }
        assertTrue(expected.get(0).contains("granted with TTL(10s)"), expected.get(0));
    }

    private static final Pattern GRANTED = Pattern.compile("^lease ([0-9a-f]+) granted with TTL\\(\\d+s\\)$", Pattern.MULTILINE);

    private static List<String> run(String endpoint) {
        List<String> out = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        for (List<String> step : SEQUENCE) {
            String id = ids.isEmpty() ? "0" : ids.get(ids.size() - 1);
            String[] args = step.stream().map(a -> a.replace("{id}", id)).toArray(String[]::new);
            Cli.Result r = Cli.etcdctl(endpoint, args);
            Matcher m = GRANTED.matcher(r.output());
            if (m.find()) ids.add(m.group(1));
            out.add(mask(r.exitCode() + "\n" + r.output(), endpoint, ids));
        }
        return out;
    }

    static String mask(String s, String endpoint, List<String> ids) {
        s = EtcdctlDifferentialTest.mask(s, endpoint);
        for (int i = 0; i < ids.size(); i++) {
            String hex = ids.get(i);
            String dec = Long.toString(Long.parseUnsignedLong(hex, 16));
            s = s.replaceAll("\\b" + hex + "\\b", "LEASE" + i).replaceAll("\\b" + dec + "\\b", "LEASE" + i);
        }
        // etcd lists a lease's keys in Go map order (random): compare them as a set
        s = sortList(s, "\"keys\":[", ",");
        s = sortList(s, "attached keys [", " ");
        s = sortList(s, "attached keys([", " ");
        // remaining TTLs tick in seconds; a request landing across a second boundary is not a difference
        return s.replaceAll("remaining\\(\\d+s\\)", "remaining(Ns)")
            .replaceAll("\"ttl\":\\d+", "\"ttl\":N");
    }

    /** Sorts the items of every list that starts with {@code opener} and ends with ']'. */
    private static String sortList(String s, String opener, String separator) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile(java.util.regex.Pattern.quote(opener) + "([^\\]]*)\\]").matcher(s);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String[] items = m.group(1).split(java.util.regex.Pattern.quote(separator));
            java.util.Arrays.sort(items);
            m.appendReplacement(out, java.util.regex.Matcher.quoteReplacement(opener + String.join(separator, items) + "]"));
        }
        m.appendTail(out);
        return out.toString();
    }
}
