package io.vetcd.cluster;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.options.GetOption;
import io.vetcd.testing.InJvmCluster;
import io.vetcd.testing.InJvmMember;
import io.vetcd.transport.StreamType;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Members replicate over the long-lived raft streams (not POST /raft), and a
 * member that is stopped and started again gets its streams back by the
 * others' backoff redial and catches up.
 */
class RaftStreamsClusterTest {
    static ByteSequence bs(String s) { return ByteSequence.from(s, StandardCharsets.UTF_8); }

    static void await(String what, long seconds, BooleanSupplier ok) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!ok.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting: " + what);
            Thread.sleep(50);
        }
    }

    static boolean allStreamsUp(InJvmCluster cluster) {
        for (InJvmMember m : cluster.members) {
            for (InJvmMember p : cluster.members) {
                if (m == p) continue;
                long pid = p.node.server().memberId();
                for (StreamType t : StreamType.values()) {
                    if (!m.node.incomingStreams().isUp(pid, t) || !m.node.outgoingStreams().isUp(pid, t)) return false;
                }
            }
        }
        return true;
    }

    @Test
    void replicatesOverStreamsAndRedialsARestartedPeer() throws Exception {
        try (InJvmCluster cluster = InJvmCluster.start(3)) {
            await("every member streams to every other", 20, () -> allStreamsUp(cluster));
            int leader = cluster.leader();
            InJvmMember l = cluster.members.get(leader);
            long streamedBefore = l.node.outgoingStreams().messagesStreamed();
            long postedBefore = l.node.peerSender().messagesPosted();
            try (Client c = Client.builder().endpoints(l.endpoint()).build()) {
                for (int i = 0; i < 200; i++) c.getKVClient().put(bs("s" + i), bs("v" + i)).get(20, TimeUnit.SECONDS);
            }
            long streamed = l.node.outgoingStreams().messagesStreamed() - streamedBefore;
            long posted = l.node.peerSender().messagesPosted() - postedBefore;
            System.out.println("leader streamed " + streamed + " raft messages, posted " + posted);
            // 200 writes are at least 200 appends to each of two followers
            assertTrue(streamed >= 400, "streamed " + streamed);
            assertEquals(0, posted, "no POST /raft while streams are up");

            int follower = (leader + 1) % 3;
            long followerId = cluster.members.get(follower).node.server().memberId();
            cluster.members.get(follower).stop();
            await("the leader notices the stopped follower's streams are gone", 15,
                () -> !l.node.incomingStreams().isUp(followerId, StreamType.MESSAGE)
                    && !l.node.outgoingStreams().isUp(followerId, StreamType.MSGAPP));
            try (Client c = Client.builder().endpoints(l.endpoint()).build()) {
                for (int i = 0; i < 50; i++) c.getKVClient().put(bs("while-down"), bs("v" + i)).get(20, TimeUnit.SECONDS);
            }
            // down for a few seconds: the redial backoff reaches its 2 s ceiling
            Thread.sleep(3000);
            long restarted = System.nanoTime();
            InJvmMember back = cluster.restart(follower);
            await("streams between the restarted member and the others are back", 15, () -> allStreamsUp(cluster));
            System.out.println("streams back " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - restarted) + " ms after restart");
            try (Client c = Client.builder().endpoints(back.endpoint()).build()) {
                await("the restarted member caught up", 20, () -> {
                    try {
                        var kvs = c.getKVClient().get(bs("while-down"), GetOption.builder().withSerializable(true).build())
                            .get(20, TimeUnit.SECONDS).getKvs();
                        return !kvs.isEmpty() && kvs.get(0).getValue().toString(StandardCharsets.UTF_8).equals("v49");
                    } catch (Exception e) {
                        return false;
                    }
                });
                c.getKVClient().put(bs("after"), bs("ok")).get(20, TimeUnit.SECONDS);
            }
        }
    }
}
