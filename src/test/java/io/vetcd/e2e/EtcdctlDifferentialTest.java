package io.vetcd.e2e;

import io.vetcd.testing.AgainstRealEtcd;
import io.vetcd.testing.Cli;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The same etcdctl sequences against a real etcd 3.4 and against vetcd: the
 * outputs must be identical (after masking the ids that differ by
 * construction: member, cluster, and raft term).
 */
class EtcdctlDifferentialTest extends AgainstRealEtcd {

    /** One step: etcdctl arguments and optional stdin. */
    record Step(String stdin, String... args) {
        static Step of(String... args) { return new Step(null, args); }
    }

    static final List<Step> SEQUENCE = List.of(
        Step.of("put", "foo", "bar"),
        Step.of("put", "foo1", "bar1"),
        Step.of("put", "foo2", "bar2"),
        Step.of("put", "--prev-kv", "foo", "baz"),
        Step.of("put", "a", "1"),
        Step.of("put", "--ignore-value", "nokey"),
        Step.of("put", "--ignore-value", "a"),
        Step.of("put", "--ignore-lease", "a", "1"),
        Step.of("put", "--lease=1234", "a", "1"),
        Step.of("get", "foo"),
        Step.of("get", "foo", "foo3"),
        Step.of("get", "--prefix", "foo"),
        Step.of("get", "--prefix", "--sort-by=MODIFY", "--order=DESCEND", "foo"),
        Step.of("get", "--prefix", "--limit=2", "foo"),
        Step.of("get", "--from-key", "b"),
        Step.of("get", "--rev=2", "foo"),
        Step.of("get", "--prefix", "--keys-only", "foo"),
        Step.of("get", "--prefix", "--count-only", "-w", "fields", "foo"),
        Step.of("get", "nothing"),
        Step.of("get", "-w", "json", "foo"),
        Step.of("get", "-w", "fields", "--prefix", "foo"),
        Step.of("del", "--prev-kv", "foo1"),
        Step.of("del", "--prefix", "foo"),
        Step.of("del", "nothing"),
        new Step("value(\"a\") = \"1\"\n\nput a 2\nget a\n\nput b 3\n\n", "txn"),
        new Step("mod(\"a\") > \"100\"\n\nput x 1\n\nget a\ndel a\n\n", "txn", "-w", "json"),
        Step.of("put", "", "x"),
        Step.of("get", "--rev=1000", "foo"),
        Step.of("compaction", "3"),
        Step.of("get", "--rev=2", "foo"),
        Step.of("compaction", "2"),
        Step.of("get", "--prefix", ""),
        Step.of("get", "--from-key", ""),
        Step.of("endpoint", "health", "-w", "json")
    );

    @Test
    void etcdctlSequenceMatchesRealEtcd() {
        List<String> expected = run(etcd.endpoint());
        List<String> actual = run(vetcd.endpoint());
        for (int i = 0; i < SEQUENCE.size(); i++) {
            assertEquals(expected.get(i), actual.get(i), "step " + i + ": etcdctl " + String.join(" ", SEQUENCE.get(i).args()));
        }
    }

    private static List<String> run(String endpoint) {
        List<String> out = new ArrayList<>();
        for (Step s : SEQUENCE) {
            Cli.Result r = Cli.etcdctlWithInput(endpoint, s.stdin(), s.args());
            out.add(mask(r.exitCode() + "\n" + r.output(), endpoint));
        }
        return out;
    }

    /** Member and cluster ids, raft terms, endpoints and timings differ by construction. */
    static String mask(String s, String endpoint) {
        // etcdctl's own retry warnings carry timestamps and random client ids
        s = s.replaceAll("(?m)^\\{\"level\":\"warn\".*\n", "");
        return s.replace(endpoint, "ENDPOINT")
            .replaceAll("\"cluster_id\":\\d+", "\"cluster_id\":ID")
            .replaceAll("\"member_id\":\\d+", "\"member_id\":ID")
            .replaceAll("\"raft_term\":\\d+", "\"raft_term\":N")
            .replaceAll("\"ClusterID\" : \\d+", "\"ClusterID\" : ID")
            .replaceAll("\"MemberID\" : \\d+", "\"MemberID\" : ID")
            .replaceAll("\"RaftTerm\" : \\d+", "\"RaftTerm\" : N")
            .replaceAll("\"took\":\"[^\"]*\"", "\"took\":\"T\"")
            .replaceAll("took = \\S+", "took = T");
    }
}
