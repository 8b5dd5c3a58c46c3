package io.vetcd.e2e;

import io.vetcd.testing.AgainstRealEtcd;
import io.vetcd.testing.Cli;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Cluster, alarm and maintenance answers as etcdctl prints them, against a real etcd 3.4 and
 * vetcd: cluster headers without a revision, alarm answers without a header, HashKV's
 * compact_revision -1 before any compaction, and a catch-up watch whose header revision is the
 * store's revision (also when vetcd reads the history in several chunks).
 */
class EtcdctlClusterMaintenanceDifferentialTest extends AgainstRealEtcd {

    private static List<String> run(String endpoint) {
        List<String> out = new ArrayList<>();
        List<String[]> steps = new ArrayList<>();
        steps.add(new String[]{"member", "list", "-w", "json"});
        steps.add(new String[]{"alarm", "list", "-w", "json"});
        steps.add(new String[]{"alarm", "list"});
        steps.add(new String[]{"alarm", "disarm", "-w", "json"});
        steps.add(new String[]{"endpoint", "hashkv", "-w", "json"});
        for (int i = 0; i < 18; i++) steps.add(new String[]{"put", "k", "v" + i}); // revisions 2..19
        steps.add(new String[]{"put", "other", "x"}); // 20, not watched below
        steps.add(new String[]{"endpoint", "hashkv", "-w", "json"});
        steps.add(new String[]{"endpoint", "hashkv", "--rev=12", "-w", "json"});
        for (String[] s : steps) {
            Cli.Result r = Cli.etcdctl(endpoint, s);
            out.add(String.join(" ", s) + " -> " + mask(r.exitCode() + "\n" + r.output(), endpoint));
        }
        // etcdctl watches until killed: the history (revisions 4..19) is replayed well within 3 s
        List<String> watch = List.of("timeout", "3", "etcdctl", "--endpoints", endpoint, "watch", "--rev=4", "--prefix", "k", "-w", "json");
        out.add("watch -> " + mask(Cli.run(watch).output(), endpoint).replaceAll("\"watch_id\":\\d+", "\"watch_id\":ID"));
        // after a compaction: etcd hashes what its compaction keeps (the latest revision of each key at or below it)
        for (String[] s : List.of(new String[]{"del", "other"}, new String[]{"compaction", "--physical", "10"},
                new String[]{"endpoint", "hashkv", "-w", "json"}, new String[]{"endpoint", "hashkv", "--rev=15", "-w", "json"})) {
            Cli.Result r = Cli.etcdctl(endpoint, s);
            out.add(String.join(" ", s) + " -> " + mask(r.exitCode() + "\n" + r.output(), endpoint));
        }
        return out;
    }

    private static String mask(String s, String endpoint) {
        return EtcdctlDifferentialTest.mask(s, endpoint)
            .replaceAll("\"ID\":\\d+", "\"ID\":ID")
            .replaceAll("\"name\":\"[^\"]*\"", "\"name\":NAME")
            .replaceAll("127\\.0\\.0\\.1:\\d+", "ADDR")
            ;
    }

    @Test
    void outputsMatchRealEtcd() {
        List<String> expected = run(etcd.endpoint());
        List<String> actual = run(vetcd.endpoint());
        assertEquals(expected.size(), actual.size());
        for (int i = 0; i < expected.size(); i++) assertEquals(expected.get(i), actual.get(i), "step " + i);
    }
}
