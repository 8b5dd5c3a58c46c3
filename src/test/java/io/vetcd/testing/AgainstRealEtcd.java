package io.vetcd.testing;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;

/**
 * Base of the differential tests: a real etcd 3.4 (Debian's etcd-server) and a
 * vetcd member side by side, so the same etcdctl commands can run against both
 * and their outputs be compared.
 */
public abstract class AgainstRealEtcd {
    protected static ServerProcess etcd;
    protected static InJvmMember vetcd;

    @BeforeAll
    static void startBoth() throws Exception {
        Assumptions.assumeTrue(Cli.available("etcd") && Cli.available("etcdctl"), "etcd-server and etcd-client are installed");
        etcd = ServerProcess.realEtcd();
        vetcd = InJvmMember.start();
    }

    @AfterAll
    static void stopBoth() throws Exception {
        if (etcd != null) etcd.close();
        if (vetcd != null) vetcd.close();
        etcd = null;
        vetcd = null;
    }
}
