package io.vetcd.transport;

import io.vertx.core.Vertx;
import io.vertx.core.file.OpenOptions;
import io.vertx.ext.web.RoutingContext;
import io.vetcd.raft.Message;
import io.vetcd.raft.MessageCodec;
import io.vetcd.raft.MessageType;
import io.vetcd.server.ClusterIds;
import io.vetcd.server.Membership;
import io.vetcd.server.ServerCore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The peer route {@code POST /raft/snapshot}: a leader's MsgSnap followed by its
 * backend archive. The body goes to a temporary file (bounded memory), is
 * unpacked and checksummed off the event loop, and only a complete, valid
 * snapshot reaches the core; a truncated or corrupt one is refused and the
 * member keeps serving.
 */
public final class SnapshotReceiver {
    private static final Logger log = LoggerFactory.getLogger(SnapshotReceiver.class);

    private final Vertx vertx;
    private final Membership membership;
    private final ServerCore core;
    private final Path scratchDir;

    public SnapshotReceiver(Vertx vertx, Membership membership, ServerCore core, Path scratchDir) {
        this.vertx = vertx;
        this.membership = membership;
        this.core = core;
        this.scratchDir = scratchDir;
    }

    public void handle(RoutingContext ctx) {
        String cid = ctx.request().getHeader(PeerHeaders.CLUSTER_ID);
        if (cid == null || !cid.equals(ClusterIds.hex(membership.clusterId()))) {
            log.warn("rejected snapshot from {}: cluster ID mismatch", ctx.request().remoteAddress());
            ctx.response().setStatusCode(412).end("cluster ID mismatch");
            return;
        }
        ctx.request().pause();
        Path file;
        try {
            Files.createDirectories(scratchDir);
            file = Files.createTempFile(scratchDir, "snapshot-in-", ".bin");
        } catch (Exception e) {
            ctx.response().setStatusCode(500).end();
            return;
        }
        vertx.fileSystem().open(file.toString(), new OpenOptions().setWrite(true))
            .compose(af -> ctx.request().pipeTo(af))
            .compose(v -> vertx.executeBlocking(() -> unpack(file), false))
            .onComplete(ar -> {
                vertx.fileSystem().delete(file.toString());
                if (ar.failed()) {
                    log.warn("rejected snapshot from {}: {}", ctx.request().getHeader(PeerHeaders.FROM), ar.cause().getMessage());
                    ctx.response().setStatusCode(400).end("bad snapshot");
                    return;
                }
                core.receiveSnapshot(ar.result().message(), ar.result().dir());
                ctx.response().setStatusCode(204).end();
            });
    }

    private record Unpacked(Message message, Path dir) { }

    private Unpacked unpack(Path file) throws Exception {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            DataInputStream data = new DataInputStream(in);
            int len = data.readInt();
            if (len <= 0 || len > RaftBatchCodec.MAX_MESSAGE_BYTES) throw new IllegalArgumentException("bad message length " + len);
            byte[] msg = data.readNBytes(len);
            if (msg.length != len) throw new IllegalArgumentException("truncated message");
            Message m = MessageCodec.decode(msg);
            if (m.type() != MessageType.MsgSnap || m.snapshot() == null) throw new IllegalArgumentException("not a snapshot message");
            Path dir = Files.createTempDirectory(scratchDir, "snapshot-db-");
            Files.copy(in, dir.resolve("db")); // the leader's backend, an etcd bbolt file
            return new Unpacked(m, dir);
        }
    }
}
