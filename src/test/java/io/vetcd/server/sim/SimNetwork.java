package io.vetcd.server.sim;

import io.vetcd.raft.Message;
import io.vetcd.raft.MessageType;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * The links between simulated members: every message gets its own random delay (so messages
 * overtake each other), may be dropped or duplicated, and is lost when its direction is cut
 * (partitions, one-way ones too) or its receiver is down. A leader's snapshot (MsgSnap) carries the
 * backend the real way: the sender writes it as etcd's bbolt file, the receiver takes it with
 * {@code ServerCore.receiveSnapshot}, and the sender's raft hears how it went.
 */
final class SimNetwork {
    private final ServerSimulation world;
    private final SplittableRandom rng;
    private final Set<Long> cuts = new HashSet<>();
    double dropRate;
    double duplicateRate;
    /** Most messages arrive within this; a few take up to ten times as long. */
    long maxDelayNanos;
    long sent;
    long delivered;
    long snapshotsSent;

    SimNetwork(ServerSimulation world, SplittableRandom rng) {
        this.world = world;
        this.rng = rng;
    }

    private static long link(int from, int to) { return (long) from << 32 | to; }

    void cut(int from, int to) { cuts.add(link(from, to)); }

    void uncut(int from, int to) { cuts.remove(link(from, to)); }

    boolean isCut(int from, int to) { return cuts.contains(link(from, to)); }

    void heal() { cuts.clear(); }

    /** Healthy links from now on: no loss, no duplicates, short delays. */
    void reliable() {
        dropRate = 0;
        duplicateRate = 0;
        maxDelayNanos = 2_000_000;
    }

    private long delay() {
        long d = 1 + rng.nextLong(maxDelayNanos);
        return rng.nextInt(20) == 0 ? d * 10 : d;
    }

    /** Called by a member's core (its PeerSender) with the messages of one Ready. */
    void send(SimMember from, List<Message> messages) {
        for (Message m : messages) {
            sent++;
            SimMember to = world.memberById(m.to());
            if (to == null) continue;
            if (m.type() == MessageType.MsgSnap) {
                sendSnapshot(from, to, m);
                continue;
            }
            if (isCut(from.index, to.index) || rng.nextDouble() < dropRate) continue;
            int copies = rng.nextDouble() < duplicateRate ? 2 : 1;
            for (int i = 0; i < copies; i++) {
                world.scheduler.after(delay(), "deliver " + m.type() + " " + from.index + "->" + to.index
                    + " term " + m.term() + " index " + m.index(), () -> deliver(to, m));
            }
        }
    }

    private void deliver(SimMember to, Message m) {
        if (!to.up) return;
        delivered++;
        to.core.receive(m);
        world.kick(to);
    }

    private void sendSnapshot(SimMember from, SimMember to, Message m) {
        Path file;
        try {
            file = Files.createTempFile(to.scratchDir, "snapshot-", ".db");
            try (OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(file))) {
                from.core.writeSnapshotDb(out, from.scratchDir);
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        snapshotsSent++;
        int fromIncarnation = from.incarnation;
        boolean lost = isCut(from.index, to.index) || rng.nextDouble() < dropRate;
        world.scheduler.after(delay() * 5, "deliver MsgSnap " + from.index + "->" + to.index + " index "
            + m.snapshot().index() + (lost ? " (lost)" : ""), () -> {
            boolean ok = !lost && to.up;
            if (ok) {
                try {
                    to.core.receiveSnapshot(m, file);
                    world.kick(to);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            } else {
                deleteQuietly(file);
            }
            if (from.up && from.incarnation == fromIncarnation) {
                from.core.runOnCore(node -> node.reportSnapshot(to.id, !ok));
                world.kick(from);
            }
        });
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // a leftover file goes with the run's directory
        }
    }
}
