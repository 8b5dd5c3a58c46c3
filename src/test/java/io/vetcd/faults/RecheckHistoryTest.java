package io.vetcd.faults;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Re-checks a history a fault run wrote (JSON lines):
 * {@code mvn -B test -Dtest=RecheckHistoryTest -Dvetcd.faults.history=target/faults/run-<seed>/history.jsonl}.
 * Skipped when no history is given.
 */
class RecheckHistoryTest {
    @Test
    void recheck() throws Exception {
        String file = System.getProperty("vetcd.faults.history");
        assumeTrue(file != null && !file.isBlank(), "no -Dvetcd.faults.history");
        List<RegisterOp> ops = History.read(Path.of(file));
        var result = History.check(ops, 0);
        System.out.println(ops.size() + " ops: " + result.verdict());
        History.report(result, ops, System.out, 40);
        assertEquals(Linearizability.Verdict.OK, result.verdict());
    }
}
