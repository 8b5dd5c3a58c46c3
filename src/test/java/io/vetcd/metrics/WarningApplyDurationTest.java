package io.vetcd.metrics;

import io.vetcd.testing.Cli;
import io.vetcd.testing.InJvmMember;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code --experimental-warning-apply-duration}: applies slower than it count in etcd_server_slow_apply_total. */
class WarningApplyDurationTest {
    @Test
    void thresholdComesFromTheFlag() throws Exception {
        Assumptions.assumeTrue(Cli.available("etcdctl"), "etcd-client is installed");
        try (InJvmMember strict = InJvmMember.start("--experimental-warning-apply-duration", "1ns");
             InJvmMember lenient = InJvmMember.start("--experimental-warning-apply-duration", "1h")) {
            for (int i = 0; i < 3; i++) {
                assertEquals(0, Cli.etcdctl(strict.endpoint(), "put", "k", "v" + i).exitCode());
                assertEquals(0, Cli.etcdctl(lenient.endpoint(), "put", "k", "v" + i).exitCode());
            }
            assertTrue(Scrape.of(strict.endpoint()).value("etcd_server_slow_apply_total") >= 3);
            assertEquals(0.0, Scrape.of(lenient.endpoint()).value("etcd_server_slow_apply_total"));
        }
    }
}
