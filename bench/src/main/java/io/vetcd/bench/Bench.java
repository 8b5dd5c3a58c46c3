package io.vetcd.bench;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * vetcd-bench: a load generator for etcd's v3 gRPC API (works against etcd and
 * vetcd alike), and {@code compare}, which runs both side by side.
 */
@Command(name = "vetcd-bench", mixinStandardHelpOptions = true, version = "vetcd-bench 0.1",
    description = "Load generator for the etcd v3 gRPC API (etcd and vetcd), and a side-by-side comparison.",
    subcommands = {Workloads.Put.class, Workloads.Range.class, Workloads.TxnPut.class, Workloads.Mixed.class,
        Workloads.LeaseKeepalive.class, Workloads.Watch.class, Workloads.Fill.class, Compare.class, ProxyWatch.class, Smoke.class, JfrSummary.class,
        CommandLine.HelpCommand.class})
public final class Bench implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** Held so the level sticks: the pool logs "Connection evicted" while a restarting server is probed. */
    private static final java.util.logging.Logger VERTX_HTTP = java.util.logging.Logger.getLogger("io.vertx.core.http.impl");

    public static void main(String[] args) {
        VERTX_HTTP.setLevel(java.util.logging.Level.SEVERE);
        int rc = new CommandLine(new Bench()).setCaseInsensitiveEnumValuesAllowed(true).execute(args);
        System.exit(rc);
    }
}
