package io.vetcd.api;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.vertx.core.Vertx;
import io.vetcd.pb.mvcc.Event;
import io.vetcd.pb.etcdserver.WatchCreateRequest;
import io.vetcd.pb.etcdserver.WatchResponse;
import io.vetcd.testing.InJvmMember;
import io.vetcd.testing.RawWatchStream;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A progress notification never overtakes events at or below its revision (etcd's fix after
 * 3.4.23, which Kubernetes relies on): asked for while a watcher of the stream is still being
 * caught up from history, it comes after that history.
 */
class WatchProgressOrderTest {
    @Test
    void progressRequestedDuringCatchUpComesAfterTheHistory() throws Exception {
        Vertx vertx = Vertx.vertx();
        try (InJvmMember member = InJvmMember.start();
             Client client = Client.builder().endpoints(member.endpoint()).build()) {
            KV kv = client.getKVClient();
            ByteSequence key = ByteSequence.from("h/k", StandardCharsets.UTF_8);
            ByteSequence value = ByteSequence.from("x".repeat(4096), StandardCharsets.UTF_8);
            TreeSet<Long> putRevisions = new TreeSet<>();
            for (int round = 0; round < 6; round++) {
                List<CompletableFuture<io.etcd.jetcd.kv.PutResponse>> puts = new ArrayList<>();
                for (int i = 0; i < 50; i++) puts.add(kv.put(key, value));
                for (var p : puts) putRevisions.add(p.get(30, TimeUnit.SECONDS).getHeader().getRevision());
            }

            for (int attempt = 0; attempt < 3; attempt++) {
                try (RawWatchStream s = RawWatchStream.open(vertx, member.clientPort)) {
                    s.create(WatchCreateRequest.newBuilder().setKey(RawWatchStream.bytes("h/k")).setStartRevision(1).setWatchId(1));
                    s.requestProgress();
                    TreeSet<Long> seen = new TreeSet<>();
                    long progressRev = -1;
                    for (int n = 0; n < 10_000 && progressRev < 0; n++) {
                        WatchResponse r = s.next();
                        if (r.getWatchId() == -1 && r.getEventsCount() == 0 && !r.getCreated()) progressRev = r.getHeader().getRevision();
                        for (Event e : r.getEventsList()) seen.add(e.getKv().getModRevision());
                    }
                    assertTrue(progressRev >= putRevisions.last(), "progress at " + progressRev);
                    assertEquals(putRevisions, seen, "every event at or below the progress revision came before it");
                }
            }
        } finally {
            vertx.close();
        }
    }
}
