package io.vetcd.node;

/**
 * Start-up work that needs neither the configuration nor the member, begun on a thread of its own
 * at the first line of {@link Launcher#main} while the main thread builds Vert.x and reads the
 * configuration: the JSON codec (vertx-config needs it first), RocksDB's native library (opening
 * the store needs it next), the protobuf descriptors of the gRPC services and raft's messages, and
 * the JSON gateway's codec (both prepared before the client listener starts). Each was paid one
 * after the other on the way to the first answer. Whoever needs a piece first and finds it half
 * done waits for it (class initialisation and {@code RocksNativeLibrary.load} are locked); a
 * failure here is ignored, and the same step fails again, and is reported, where it is needed.
 */
final class StartupPreload {
    private StartupPreload() {}

    static void begin() {
        Thread t = new Thread(StartupPreload::run, "vetcd-preload");
        t.setDaemon(true); // --help, --version and bad flags exit at once
        t.start();
    }

    private static void run() {
        step(() -> new io.vertx.core.json.JsonObject("{\"member\":{\"name\":\"default\"}}").toBuffer());
        step(io.vetcd.mvcc.RocksNativeLibrary::load);
        step(() -> {
            io.vetcd.pb.etcdserver.RpcProto.getDescriptor();
            io.vetcd.pb.election.ElectionProto.getDescriptor();
            io.vetcd.pb.lock.LockProto.getDescriptor();
            io.vetcd.pb.internal.InternalProto.getDescriptor();
            io.vetcd.pb.raft.RaftProto.getDescriptor();
        });
        step(ClientVerticle::prepareJson);
    }

    private static void step(Runnable r) {
        try {
            r.run();
        } catch (Throwable ignored) {
            // the member's own path does it again and reports what failed
        }
    }
}
