package io.vetcd.transport;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.AsyncFile;
import io.vertx.core.file.OpenOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import io.vetcd.raft.Message;
import io.vetcd.raft.MessageType;
import io.vetcd.server.ClusterIds;
import io.vetcd.server.Membership;
import io.vetcd.server.ServerCore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The peer route {@code POST /raft/snapshot}, etcd's snapshot handler. The body is etcd's merged
 * snapshot: the MsgSnap as a message frame (8-byte big-endian length, raftpb bytes), then the
 * database to the end of the body. The frame is decoded as soon as it is in (it is small: raft
 * metadata), the database streams into a temporary file in the scratch directory (bounded memory,
 * with backpressure), and the core gets {@code (message, file)} off the event loop; it checks the
 * database, and only a complete, valid snapshot reaches raft. Answers as etcd: 412 for version or
 * cluster id, 400 for a message that does not decode or is not a MsgSnap, 500 when the database
 * cannot be saved, 403 for a sender the cluster removed (which then stops), 204 when done. A truncated or corrupt snapshot never stops the member.
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
        ctx.response().putHeader(PeerHeaders.CLUSTER_ID, ClusterIds.hex(membership.clusterId()));
        if (PeerRequestCheck.check(ctx.request().headers(), membership.clusterId(), ctx.response(), log, "snapshot") != null) {
            return;
        }
        HttpServerRequest req = ctx.request();
        req.pause();
        vertx.executeBlocking(() -> {
            Files.createDirectories(scratchDir);
            return Files.createTempFile(scratchDir, "snapshot-in-", ".db");
        }, false).onComplete(created -> {
            if (created.failed()) {
                PeerErrors.reply(ctx.response(), 500, "failed to save KV snapshot (" + created.cause().getMessage() + ")");
                return;
            }
            Path file = created.result();
            vertx.fileSystem().open(file.toString(), new OpenOptions().setWrite(true)).onComplete(opened -> {
                if (opened.failed()) {
                    vertx.fileSystem().delete(file.toString());
                    PeerErrors.reply(ctx.response(), 500, "failed to save KV snapshot (" + opened.cause().getMessage() + ")");
                    return;
                }
                new Upload(ctx, req, opened.result(), file).start();
            });
        });
    }

    /** One snapshot body being received: the message frame first, then the database into the file. On the request's context. */
    private final class Upload {
        private final RoutingContext ctx;
        private final HttpServerRequest req;
        private final AsyncFile db;
        private final Path file;
        private final Buffer head = Buffer.buffer();
        private Message message;
        private long dbBytes;
        private boolean failed;

        Upload(RoutingContext ctx, HttpServerRequest req, AsyncFile db, Path file) {
            this.ctx = ctx;
            this.req = req;
            this.db = db;
            this.file = file;
        }

        void start() {
            db.drainHandler(v -> req.resume());
            req.handler(this::chunk);
            req.exceptionHandler(e -> fail(400, "failed to read snapshot body (" + e.getMessage() + ")"));
            req.endHandler(v -> end());
            req.resume();
        }

        private void chunk(Buffer b) {
            if (failed) return;
            if (message == null) {
                head.appendBuffer(b);
                if (head.length() < 8) return;
                long len = head.getLong(0);
                if (len < 0 || len > MessageFrameDecoder.MAX_MESSAGE_BYTES) {
                    fail(400, "failed to decode raft message (rafthttp: error limit exceeded)");
                    return;
                }
                if (head.length() < 8 + len) return;
                try {
                    message = EtcdRaftMessageCodec.decode(head.getBytes(8, 8 + (int) len));
                } catch (IllegalArgumentException e) {
                    fail(400, "failed to decode raft message (" + e.getMessage() + ")");
                    return;
                }
                if (message.type() != MessageType.MsgSnap || message.snapshot() == null) {
                    log.warn("unexpected raft message type {} on the snapshot path from {}", message.type(), ClusterIds.hex(message.from()));
                    fail(400, "wrong raft message type");
                    return;
                }
                log.info("receiving database snapshot from {} (index {}, raft message {} bytes)",
                    ClusterIds.hex(message.from()), message.snapshot().index(), len);
                b = head.getBuffer(8 + (int) len, head.length());
            }
            if (b.length() == 0) return;
            dbBytes += b.length();
            db.write(b);
            if (db.writeQueueFull()) req.pause();
        }

        private void end() {
            if (failed) return;
            if (message == null) {
                fail(400, "failed to decode raft message (unexpected EOF)");
                return;
            }
            if (membership.isRemoved(message.from())) {
                // etcd's Process, after the body is in: the sender learns from the 403 that it was removed, and stops
                log.warn("reject snapshot from removed member {}", ClusterIds.hex(message.from()));
                fail(403, PeerErrors.FROM_REMOVED_MEMBER);
                return;
            }
            db.close().compose(v -> vertx.executeBlocking(() -> {
                core.receiveSnapshot(message, file);
                return null;
            }, false)).onComplete(ar -> {
                if (ar.failed()) {
                    vertx.fileSystem().delete(file.toString());
                    log.warn("failed to save incoming database snapshot from {} (index {}): {}", ClusterIds.hex(message.from()),
                        message.snapshot().index(), ar.cause().getMessage());
                    PeerErrors.reply(ctx.response(), 500, "failed to save KV snapshot (" + ar.cause().getMessage() + ")");
                    return;
                }
                log.info("received and saved database snapshot from {} (index {}, {} bytes)", ClusterIds.hex(message.from()),
                    message.snapshot().index(), dbBytes);
                ctx.response().setStatusCode(204).end();
            });
        }

        private void fail(int status, String why) {
            if (failed) return;
            failed = true;
            log.warn("rejected snapshot from {}: {}", req.getHeader(PeerHeaders.FROM), why);
            db.close().onComplete(v -> vertx.fileSystem().delete(file.toString()));
            if (!ctx.response().ended()) PeerErrors.reply(ctx.response(), status, why);
            // the rest of the body is not wanted; let it drain so the connection can be answered
            req.resume();
        }
    }
}
