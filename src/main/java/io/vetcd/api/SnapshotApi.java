package io.vetcd.api;

import com.google.protobuf.UnsafeByteOperations;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.AsyncFile;
import io.vertx.core.file.OpenOptions;
import io.vertx.grpc.server.GrpcServer;
import io.vertx.grpc.server.GrpcServerRequest;
import io.vertx.grpc.server.GrpcServerResponse;
import io.vetcd.etcdformat.EtcdBackendExport;
import io.vetcd.pb.etcdserver.MaintenanceGrpcService;
import io.vetcd.pb.etcdserver.SnapshotRequest;
import io.vetcd.pb.etcdserver.SnapshotResponse;
import io.vetcd.server.EtcdServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Maintenance.Snapshot as etcd answers it: the backend as an etcd 3.4 bbolt file (not our RocksDB
 * files, so {@code etcdctl snapshot status/restore} and etcd itself can use it) in 32 KiB chunks
 * with the bytes remaining, then one last message holding the sha256 of everything sent, which
 * {@code snapshot restore} checks. The file is produced on a worker into {@code member/}, streamed
 * with back-pressure (the file is paused while the client's window is full), and deleted.
 */
public final class SnapshotApi {
    private static final Logger log = LoggerFactory.getLogger(SnapshotApi.class);
    private static final int CHUNK = 32 * 1024;

    private final EtcdServer server;

    public SnapshotApi(EtcdServer server) {
        this.server = server;
    }

    private Callers callers;

    public void bind(GrpcServer grpc, Callers callers) {
        this.callers = callers;
        grpc.callHandler(MaintenanceGrpcService.Snapshot, this::open);
    }

    private void open(GrpcServerRequest<SnapshotRequest, SnapshotResponse> req) {
        Future<io.vetcd.auth.AuthInfo> caller = callers.of(req);
        Context ctx = Vertx.currentContext();
        Vertx vertx = ctx.owner();
        GrpcServerResponse<SnapshotRequest, SnapshotResponse> resp = req.response();
        req.handler(msg -> {
            Path memberDir = server.store().directory().getParent();
            long started = System.nanoTime();
            // the whole key space, users included: an admin's call when auth is on
            caller.compose(ai -> MaintenanceApi.adminRaw(server, ai))
                .compose(v -> vertx.executeBlocking(() -> writeSnapshotFile(memberDir), false))
                .compose(file -> send(vertx, file, resp).eventually(() -> vertx.fileSystem().delete(file.toString())))
                // etcd's backend_snapshot_duration_seconds: the whole snapshot written out to the client
                .onSuccess(v -> server.metrics().backend.snapshotSeconds.observeSecondsSince(started))
                .onFailure(e -> {
                    log.warn("snapshot failed: {}", e.toString());
                    try {
                        GrpcErrors.failStream(resp, e);
                    } catch (IllegalStateException ignored) {
                        // the client went away
                    }
                });
        });
    }

    private Path writeSnapshotFile(Path memberDir) throws IOException {
        Path file = Files.createTempFile(memberDir, "snap.", ".tmp");
        Path scratch = memberDir.resolve(file.getFileName() + ".sort");
        try {
            EtcdBackendExport.toBoltFile(server.store(), server.members(), file, scratch);
            return file;
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(file);
            throw e;
        }
    }

    private Future<Void> send(Vertx vertx, Path file, GrpcServerResponse<SnapshotRequest, SnapshotResponse> resp) {
        long total;
        MessageDigest sha;
        try {
            total = Files.size(file);
            sha = MessageDigest.getInstance("SHA-256");
        } catch (IOException | NoSuchAlgorithmException e) {
            return Future.failedFuture(e);
        }
        return vertx.fileSystem().open(file.toString(), new OpenOptions().setRead(true).setWrite(false))
            .compose(f -> stream(f, total, sha, resp).eventually(f::close));
    }

    private Future<Void> stream(AsyncFile f, long total, MessageDigest sha,
                                GrpcServerResponse<SnapshotRequest, SnapshotResponse> resp) {
        io.vertx.core.Promise<Void> done = io.vertx.core.Promise.promise();
        long[] sent = {0};
        f.setReadBufferSize(CHUNK);
        resp.exceptionHandler(done::tryFail);
        f.exceptionHandler(done::tryFail);
        f.handler((Buffer chunk) -> {
            byte[] b = chunk.getBytes();
            sha.update(b);
            sent[0] += b.length;
            try {
                resp.write(SnapshotResponse.newBuilder().setHeader(server.header())
                    .setRemainingBytes(total - sent[0]).setBlob(UnsafeByteOperations.unsafeWrap(b)).build());
            } catch (IllegalStateException e) { // the call was canceled or reset
                done.tryFail(e);
                f.pause();
                return;
            }
            if (resp.writeQueueFull()) {
                f.pause();
                resp.drainHandler(v -> f.resume());
            }
        });
        f.endHandler(v -> {
            try {
                resp.end(SnapshotResponse.newBuilder().setHeader(server.header())
                    .setBlob(UnsafeByteOperations.unsafeWrap(sha.digest())).build());
                done.tryComplete();
            } catch (IllegalStateException e) {
                done.tryFail(e);
            }
        });
        return done.future();
    }
}
