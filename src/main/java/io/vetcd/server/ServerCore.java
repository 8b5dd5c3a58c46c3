package io.vetcd.server;

import io.vetcd.raft.ConfChange;
import io.vetcd.raft.ConfState;
import io.vetcd.raft.Entry;
import io.vetcd.raft.EntryType;
import io.vetcd.raft.Message;
import io.vetcd.raft.RaftNode;
import io.vetcd.raft.ReadState;
import io.vetcd.raft.Ready;
import io.vetcd.raft.Role;
import io.vetcd.raft.SoftState;
import io.vetcd.raft.Status;
import io.vetcd.wal.Wal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The member's one ordered context: it owns the raft node, the WAL and the
 * apply path, so the state machine needs no locks. It runs on its own thread,
 * never on an event loop, because it fsyncs.
 *
 * <p>Each turn of the loop takes everything that arrived while the last turn
 * was busy (proposals, peer messages, read requests), hands it to raft, then
 * processes raft's {@link Ready}: leader traffic out, entries and hard state
 * to the WAL with one fsync (group commit), the rest of the messages out,
 * committed entries handed to the {@link ApplyLoop} (which applies them in log
 * order while this thread goes on to the next fsync), read requests released
 * once applied through their read index. Membership changes and snapshot
 * installs wait for the apply loop to catch up and run here, because raft's
 * configuration lives on this thread.
 */
public final class ServerCore {
    private static final Logger log = LoggerFactory.getLogger(ServerCore.class);
    private static final int MAX_BATCH = 4096;

    /**
     * What applying one committed entry produced: the request id its proposer waits on, and the answer.
     * Every member sees the id; only the one that proposed it has a waiter (ids carry the member's bits).
     */
    public record Applied(long requestId, Object result) {
        public static final Applied NONE = new Applied(0, null);
    }

    /** Applies committed entries to the state machine. Called only on the core thread. */
    public interface StateMachine {
        Applied apply(Entry entry);

        /** A committed membership change; {@code confState} is raft's view after it. */
        Applied applyConfChange(Entry entry, ConfChange cc, ConfState confState);

        /**
         * Replaces the state with a leader's snapshot: raft's {@code snapshot} (its data is etcd's v2
         * store JSON) and the leader's backend, an etcd bbolt file at {@code payloadDir/db}. Returns
         * the index the backend is now applied through.
         */
        long restore(io.vetcd.raft.Snapshot snapshot, java.nio.file.Path payloadDir);

        /** The data of a raft snapshot this member sends (etcd's v2 store JSON: members, cluster version). */
        byte[] snapshotData(long index);

        /** Writes the backend a snapshot sends, as an etcd bbolt file (blocking; a worker calls it). */
        void writeSnapshotDb(java.io.OutputStream out, java.nio.file.Path scratchDir) throws java.io.IOException;

        /** A committed empty entry: the first entry of a leader's term (the lessor promotes on it). */
        default void applyEmpty(Entry entry) { }

        /**
         * The entries of one applied batch are all applied: make their effects visible (one backend
         * write for the whole batch). Called before any of them is answered or counted as applied.
         */
        default void endBatch() { }
    }

    /** Sends raft messages to peers; must not block. */
    public interface PeerSender {
        void send(List<Message> messages);

        PeerSender NONE = messages -> { };
    }

    /** A membership change waiting to be proposed; its promise completes when it is applied. */
    public record ConfProposal(Proposal proposal, ConfChange change) implements CoreInput { }

    /** A linearizable read waiting for its read index to be applied. */
    public record ReadWaiter(CompletableFuture<Long> done) implements CoreInput { }

    private final Wal wal;
    private final RaftNode node;
    private final io.vetcd.raft.MemoryStorage storage;
    private final StateMachine stateMachine;
    private final long memberId;
    private final long tickNanos;
    /** Monotonic time in nanoseconds: System.nanoTime, or a simulation's clock. */
    private final java.util.function.LongSupplier clock;
    /** When raft's next tick is due (core thread). */
    private long nextTick;
    private volatile PeerSender peers = PeerSender.NONE;
    private volatile long snapshotCount = Long.MAX_VALUE;
    private volatile Runnable backendSync = () -> { };
    /**
     * Runs {@link #backendSync} off the core thread (a memtable flush takes tens to hundreds of ms,
     * and the core must keep raft ticking meanwhile); null when stepped (the simulation flushes inline).
     */
    private java.util.concurrent.ExecutorService backendFlusher;
    /** A log compaction waits for its backend flush (core thread). */
    private boolean flushing;
    private long snapshotIndex;
    /**
     * Payload appended to the log since start (and replayed into it before), and its value at the last
     * snapshot: their difference, not the log's current size, triggers a snapshot by bytes, since a sole
     * member drops applied entries from memory long before a snapshot (see {@link #releaseApplied}).
     */
    private long logBytesAppended;
    private long logBytesAtSnapshot;
    private final RaftLogBudget logBudget = RaftLogBudget.fromHeap();
    private java.nio.file.Path pendingSnapshot;
    private volatile long snapshotsInstalled;
    /** Entries kept in the raft log behind a snapshot so a slow follower can catch up from the log. */
    private volatile long catchUpEntries = 5000;
    private volatile Consumer<SoftState> leaderListener = s -> { };
    /** Told once when a WAL or backend failure stops the core (the process entry point exits, as etcd does). */
    private volatile Consumer<Throwable> fatalListener = t -> { };

    private final LinkedBlockingQueue<CoreInput> inbox = new LinkedBlockingQueue<>();
    /** Proposals awaiting their entry's apply: added here, answered by the apply loop. */
    private final Map<Long, Proposal> waiting = new ConcurrentHashMap<>();
    /** Hands proposals to raft; holds them while no leader is known (until one is, or {@link #abandon}). */
    private final HeldProposals proposals;
    /** Linearizable reads: their read-index rounds and their wait for the apply. */
    private final ReadIndexRounds reads;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile Throwable failure;

    private volatile long term;
    private volatile long leader;
    private volatile long commitIndex;
    private final ApplyLoop applyLoop;
    /** Raft's membership as of the last conf change applied; readable from any thread. */
    private volatile ConfState confState;
    private volatile Role role = Role.FOLLOWER;
    private volatile io.vetcd.metrics.ServerMetrics metrics = io.vetcd.metrics.ServerMetrics.DETACHED;
    /** When the last heartbeat went to each peer (core thread only): etcd counts late ones as send failures. */
    private final Map<Long, Long> lastHeartbeatNanos = new java.util.HashMap<>();
    /**
     * Raft's status for other threads: learner promotion reads the progress, so with a learner in the
     * cluster it is taken after every Ready; otherwise as of the last tick or role change. It copies
     * every peer's progress and the membership, which a busy core would do hundreds of times a second
     * for nobody.
     */
    private volatile Status status;
    /** A tick or a role change since {@link #status} was taken (core thread). */
    private boolean statusDue;

    public ServerCore(Wal wal, RaftNode node, io.vetcd.raft.MemoryStorage storage, StateMachine stateMachine,
                      long memberId, long tickMillis, long appliedIndex) {
        this(wal, node, storage, stateMachine, memberId, tickMillis, appliedIndex, System::nanoTime);
    }

    /** With the clock the loop ticks raft by (a deterministic simulation injects its own). */
    public ServerCore(Wal wal, RaftNode node, io.vetcd.raft.MemoryStorage storage, StateMachine stateMachine,
                      long memberId, long tickMillis, long appliedIndex, java.util.function.LongSupplier clock) {
        this.clock = clock;
        this.wal = wal;
        this.node = node;
        this.storage = storage;
        this.stateMachine = stateMachine;
        this.memberId = memberId;
        this.tickNanos = TimeUnit.MILLISECONDS.toNanos(tickMillis);
        this.proposals = new HeldProposals(node, waiting);
        this.reads = new ReadIndexRounds(node, memberId, clock, this::appliedIndex,
            task -> inbox.add(new CoreInput.Task(task)), () -> metrics);
        this.applyLoop = new ApplyLoop(stateMachine, memberId, waiting, appliedIndex, reads::release, this::failFromApply);
        this.confState = node.confState();
        this.logBytesAppended = storage.dataBytes();
        this.term = node.term();
        this.commitIndex = node.committedIndex();
        this.status = node.status();
        this.thread = new Thread(this::run, "vetcd-core");
        this.thread.setDaemon(true);
    }

    public void peers(PeerSender sender) { this.peers = sender; }

    /** --experimental-warning-apply-duration: applies slower than this are logged and counted as slow. */
    public void warnApplyDuration(java.time.Duration d) {
        applyLoop.warnApplyNanos = d.toNanos();
    }

    /** Where leader changes, slow applies and read indexes, heartbeats and snapshot installs are counted. */
    public void metrics(io.vetcd.metrics.ServerMetrics m) {
        this.metrics = m;
        applyLoop.metrics = m;
    }

    /**
     * After this many applied entries the log is compacted (etcd's --snapshot-count): the backend
     * is made durable through the applied index ({@code backendSync}: the backend keeps no WAL of
     * its own, so this flushes it), a snapshot point is recorded in raft's storage and the WAL, and
     * the log before it is released, keeping a catch-up tail. The WAL is never released past an
     * index the backend has not made durable: a restart replays the WAL from the backend's
     * durable consistent index, and WAL recovery starts at the newest snapshot marker.
     */
    public void snapshotEvery(long entries, long catchUpEntries, Runnable backendSync, long currentSnapshotIndex) {
        this.snapshotCount = entries <= 0 ? Long.MAX_VALUE : entries;
        this.catchUpEntries = catchUpEntries;
        this.backendSync = backendSync;
        this.snapshotIndex = currentSnapshotIndex;
    }

    public void onLeaderChange(Consumer<SoftState> listener) { this.leaderListener = listener; }

    /** Called on the core thread after a WAL or backend failure has stopped the member (not on stop()). */
    public void onFatal(Consumer<Throwable> listener) { this.fatalListener = listener; }

    public void start() {
        nextTick = clock.getAsLong() + tickNanos;
        backendFlusher = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "vetcd-backend-flush");
            t.setDaemon(true);
            return t;
        });
        applyLoop.start();
        thread.start();
    }

    /**
     * Starts without threads: the caller runs the loop turn by turn ({@link #runTurn}) and the apply
     * loop batch by batch ({@link #applyNext}), all on one thread. For the deterministic simulation,
     * which interleaves the two loops of several members as its seed decides.
     */
    public void startStepped() {
        nextTick = clock.getAsLong() + tickNanos;
        applyLoop.stepped();
    }

    /** Stepped mode: one turn of the core loop (ticks due by the clock, the inbox, raft's Readies), never waiting. */
    public void runTurn() {
        if (!running) return;
        List<CoreInput> batch = new ArrayList<>();
        try {
            turn(inbox.poll(), batch);
        } catch (Throwable t) {
            failed(t, batch);
        }
    }

    /** Stepped mode: applies the oldest batch handed to the apply loop; false if there was none. */
    public boolean applyNext() { return running && applyLoop.applyNext(); }

    /** Stepped mode: whether a turn would find work without a tick (queued input or a pending Ready). */
    public boolean hasWork() { return running && (!inbox.isEmpty() || node.hasReady()); }

    /** Stepped mode: batches handed to the apply loop and not applied yet. */
    public int applyBacklog() { return applyLoop.backlog(); }

    /** When raft's next tick is due, on this core's clock. */
    public long nextTickNanos() { return nextTick; }

    private void failFromApply(Throwable t) {
        failure = t;
        running = false;
        thread.interrupt();
    }

    /** Asks to propose; the proposal's promise completes when it is applied here, or fails. */
    public void submit(Proposal p) {
        if (!running) {
            p.complete(EtcdError.STOPPED.exception());
            return;
        }
        inbox.add(p);
    }

    /** Asks to propose a membership change (one may be pending at a time, as in etcd). */
    public void submit(ConfProposal p) {
        if (!running) {
            p.proposal().complete(EtcdError.STOPPED.exception());
            return;
        }
        inbox.add(p);
    }

    /** The backend for a snapshot to a peer, as an etcd bbolt file (blocking: call from a worker). */
    public void writeSnapshotDb(java.io.OutputStream out, java.nio.file.Path scratchDir) throws java.io.IOException {
        stateMachine.writeSnapshotDb(out, scratchDir);
    }

    /**
     * A snapshot from the leader: its MsgSnap and the database that came after it in etcd's
     * merged snapshot body (an etcd bbolt file), saved in {@code dbFile}, which this method takes
     * over. Blocking (checks and moves the file): call it off the event loop. Throws if the file is
     * not a whole bbolt database; the database is read when raft installs the snapshot.
     */
    public void receiveSnapshot(Message m, java.nio.file.Path dbFile) throws java.io.IOException {
        // a cut-short or garbled database (valid meta pages, the file as long as they say) is refused here, so the
        // sender hears of it (500) and raft never installs it; etcd would take it and fail later
        try (var check = io.vetcd.etcdformat.BoltReader.open(dbFile)) {
            java.util.Objects.requireNonNull(check);
        }
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory(dbFile.toAbsolutePath().getParent(), "snapshot-db-");
        java.nio.file.Files.move(dbFile, dir.resolve("db"), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        if (running) inbox.add(new CoreInput.IncomingSnapshot(m, dir));
    }

    /** A message from a peer. */
    public void receive(Message m) {
        if (running) inbox.add(new CoreInput.PeerMessage(m));
    }

    /** Completes with the read index once everything committed before this call is applied locally. */
    public CompletableFuture<Long> readIndex() {
        ReadWaiter w = new ReadWaiter(new CompletableFuture<>());
        if (!running) {
            w.done.completeExceptionally(EtcdError.STOPPED.exception());
        } else {
            inbox.add(w);
        }
        return w.done;
    }

    /** Runs a task on the core thread, after everything submitted before it. */
    public CompletableFuture<Void> runOnCore(Consumer<RaftNode> task) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        inbox.add(new CoreInput.Task(() -> {
            try {
                task.accept(node);
                f.complete(null);
            } catch (Throwable t) {
                f.completeExceptionally(t);
            }
        }));
        return f;
    }

    /** Forgets a proposal whose caller gave up (timeout), so it can't leak if its entry never commits. */
    public void abandon(long requestId) {
        inbox.add(new CoreInput.Task(() -> waiting.remove(requestId)));
    }

    public long term() { return term; }
    public long commitIndex() { return commitIndex; }
    public long appliedIndex() { return applyLoop.appliedIndex(); }
    public long leaderId() { return leader; }
    public boolean isLeader() { return role == Role.LEADER; }
    public Role role() { return role; }
    public Status status() { return status; }
    /** Raft's membership as of the last applied membership change. */
    public ConfState confState() { return confState; }
    public Throwable failure() { return failure; }
    public long memberId() { return memberId; }
    /** How many leader snapshots this member has installed since it started. */
    public long snapshotsInstalled() { return snapshotsInstalled; }

    public void stop() {
        running = false;
        thread.interrupt();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        applyLoop.stop();
        if (backendFlusher != null) backendFlusher.shutdownNow();
        failAll(EtcdError.STOPPED.exception());
    }

    private void failAll(EtcdException e) {
        for (CoreInput o : inbox) {
            if (o instanceof Proposal p) p.complete(e);
            if (o instanceof ConfProposal cp) cp.proposal().complete(e);
            if (o instanceof ReadWaiter w) w.done.completeExceptionally(e);
        }
        waiting.values().forEach(p -> p.complete(e));
        waiting.clear();
        proposals.clear();
        reads.failAll(e);
    }

    private void run() {
        List<CoreInput> batch = new ArrayList<>();
        while (running) {
            try {
                long wait = nextTick - clock.getAsLong();
                CoreInput first = wait > 0 ? inbox.poll(wait, TimeUnit.NANOSECONDS) : inbox.poll();
                turn(first, batch);
            } catch (InterruptedException e) {
                if (!running) break;
            } catch (Throwable t) {
                failed(t, batch);
            } finally {
                batch.clear();
            }
        }
        if (failure != null) {
            failAll(EtcdError.STOPPED.exception());
            fatalListener.accept(failure);
        }
    }

    /**
     * One turn: what arrived ({@code first} and the rest of the inbox), then raft's tick if one is due,
     * then raft's Readies. Messages go first and ticks a slow turn missed are dropped, as etcd's
     * ticker drops them: a loop that was held up (a busy machine, a long pause) must not count the
     * time as silence from its peers while their messages wait in its inbox, or a follower campaigns
     * and a leader's quorum check steps it down, with the heartbeats and answers unread.
     */
    private void turn(CoreInput first, List<CoreInput> batch) throws InterruptedException {
        if (first != null) {
            batch.add(first);
            inbox.drainTo(batch, MAX_BATCH - 1);
            step(batch);
        }
        long now = clock.getAsLong();
        if (now - nextTick >= 0) {
            node.tick();
            nextTick += tickNanos;
            if (now - nextTick >= 0) nextTick = now + tickNanos; // missed ticks are dropped
            reads.retryLost(now);
            statusDue = true;
            // held through a long election, proposals time out (abandon): forget those
            proposals.forgetAbandoned();
        }
        do {
            while (node.hasReady()) handle(node.ready());
        } while (reads.askWaiting() | proposals.proposeHeld());
        releaseApplied();
    }

    /**
     * A member that is the cluster's only voter and has no learners drops the entries it has applied
     * from raft's in-memory log at once: no follower will ever ask for them (a member added later is
     * sent a snapshot), the WAL keeps them until the next snapshot, and a restart replays them from
     * there. Kept until a snapshot instead, they outlived several young collections, were promoted,
     * and stayed in the old generation as garbage until a full collection (~27 MiB of a 1-member
     * RSS after 100k keys; README, "Memory"). Cheap: after the first call the log holds only the
     * entries not yet applied.
     */
    private void releaseApplied() {
        // applied by the backend and handed out by raft (after a restart the backend is ahead of raft
        // until raft has re-delivered what the WAL replayed)
        long applied = Math.min(applyLoop.appliedIndex(), node.appliedIndex());
        if (applied < storage.firstIndex() || applied > storage.lastIndex() || !soleMember(confState)) return;
        storage.createSnapshot(applied, confState, new byte[0]); // raft's base for a member added later
        storage.compact(applied);
    }

    private boolean soleMember(ConfState cs) {
        return cs.learners().isEmpty() && cs.voters().size() == 1 && cs.voters().first() == memberId;
    }

    /** A WAL or backend failure must stop the member: going on could lose acknowledged data. */
    private void failed(Throwable t, List<CoreInput> batch) {
        failure = t;
        running = false;
        log.error("core loop failed; member stops serving", t);
        for (CoreInput o : batch) if (o instanceof Proposal p) p.complete(EtcdError.STOPPED.exception());
        failAll(EtcdError.STOPPED.exception());
    }

    private void step(List<CoreInput> batch) {
        List<Proposal> writes = null;
        List<ReadWaiter> arrived = null;
        for (CoreInput o : batch) {
            if (o instanceof CoreInput.PeerMessage pm) {
                node.step(pm.message());
            } else if (o instanceof CoreInput.IncomingSnapshot is) {
                pendingSnapshot = is.checkpointDir();
                node.step(is.message());
            } else if (o instanceof Proposal p) {
                if (writes == null) writes = new ArrayList<>();
                waiting.put(p.id(), p);
                writes.add(p);
            } else if (o instanceof ConfProposal cp) {
                waiting.put(cp.proposal().id(), cp.proposal());
                proposals.propose(cp);
            } else if (o instanceof ReadWaiter w) {
                if (arrived == null) arrived = new ArrayList<>();
                arrived.add(w);
            } else if (o instanceof CoreInput.Task t) {
                t.run().run();
            }
        }
        if (writes != null) proposals.propose(writes);
        if (arrived != null) reads.add(arrived);
    }

    private void handle(Ready rd) throws InterruptedException {
        metrics.readies.inc();
        List<Message> beforePersist = rd.messagesBeforePersist();
        List<Message> afterPersist = rd.messagesAfterPersist();
        observeHeartbeats(beforePersist);
        observeHeartbeats(afterPersist);
        if (!beforePersist.isEmpty()) peers.send(asOfApplied(beforePersist));
        if (rd.snapshot() != null && !rd.snapshot().isEmpty()) installSnapshot(rd);
        if (!rd.entries().isEmpty() || rd.hardState() != null) {
            wal.save(rd.hardState(), rd.entries());
            if (rd.mustSync()) wal.sync();
        }
        if (!rd.entries().isEmpty()) {
            storage.append(rd.entries());
            for (int i = 0; i < rd.entries().size(); i++) logBytesAppended += rd.entries().get(i).data().length;
        }
        if (rd.hardState() != null) {
            storage.setHardState(rd.hardState());
            term = rd.hardState().term();
            commitIndex = rd.hardState().commit();
        }
        if (!afterPersist.isEmpty()) peers.send(asOfApplied(afterPersist));
        if (rd.softState() != null) onSoftState(rd.softState());
        applyCommitted(rd.committedEntries());
        for (ReadState rs : rd.readStates()) reads.answered(rs);
        reads.release();
        node.advance(rd);
        if (statusDue || rd.softState() != null || !confState.learners().isEmpty()) {
            status = node.status();
            statusDue = false;
        }
        if (!flushing && (applyLoop.appliedIndex() - snapshotIndex >= snapshotCount
            || logBytesAppended - logBytesAtSnapshot >= logBudget.snapshotAfter() && applyLoop.appliedIndex() > snapshotIndex)) compactLog();
    }

    /**
     * etcd's merged snapshot message: a snapshot goes out as of the index this member has applied,
     * with the membership of that moment, not as of raft's last log compaction. The backend
     * checkpoint sent with it is taken later, so it is at least that new; and a member added after
     * the last compaction (always the case after taking over an etcd data directory, whose log
     * starts after a snapshot) finds itself in the snapshot's ConfState and can install it.
     */
    private List<Message> asOfApplied(List<Message> ms) {
        List<Message> out = ms;
        long appliedIndex = applyLoop.appliedIndex();
        for (int i = 0; i < ms.size(); i++) {
            Message m = ms.get(i);
            if (m.type() != io.vetcd.raft.MessageType.MsgSnap || m.snapshot() == null) continue;
            io.vetcd.raft.SnapshotMetadata meta = m.snapshot().metadata();
            if (appliedIndex > m.snapshot().index()) {
                try {
                    meta = new io.vetcd.raft.SnapshotMetadata(appliedIndex, storage.term(appliedIndex), node.confState());
                } catch (RuntimeException e) {
                    // applied beyond the log (just installed a snapshot): send raft's own index
                }
            }
            if (out == ms) out = new ArrayList<>(ms);
            // the data is what etcd keeps there (its v2 store: members, cluster version), so an etcd follower can install it
            out.set(i, m.toBuilder().snapshot(new io.vetcd.raft.Snapshot(meta, stateMachine.snapshotData(meta.index()))).build());
        }
        return out;
    }

    /**
     * etcd's heartbeat_send_failures_total: a leader's heartbeat to a peer more than two heartbeat
     * intervals after the previous one (the leader is too slow, usually its disk), as etcd's
     * timeout detector counts it.
     */
    private void observeHeartbeats(List<Message> messages) {
        for (int i = 0; i < messages.size(); i++) {
            Message m = messages.get(i);
            if (m.type() != io.vetcd.raft.MessageType.MsgHeartbeat) continue;
            long now = clock.getAsLong();
            Long last = lastHeartbeatNanos.put(m.to(), now);
            if (last != null && now - last > 2 * tickNanos) metrics.heartbeatSendFailures.inc();
        }
    }

    /**
     * A leader's snapshot: the backend takes the checkpoint that came with it (which may be newer
     * than the snapshot's index: it is the leader's state when sent), raft's storage restarts at
     * the snapshot, and the WAL records it, all before the entries that follow are persisted.
     */
    private void installSnapshot(Ready rd) {
        java.nio.file.Path dir = pendingSnapshot;
        pendingSnapshot = null;
        if (dir == null) throw new IllegalStateException("raft installs a snapshot whose data never arrived");
        long index = rd.snapshot().index();
        try {
            applyLoop.drain();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("stopped while installing a snapshot", e);
        }
        metrics.snapshotApplyInProgress.set(1);
        long applied;
        try {
            applied = stateMachine.restore(rd.snapshot(), dir);
        } finally {
            metrics.snapshotApplyInProgress.set(0);
        }
        storage.applySnapshot(rd.snapshot());
        wal.saveSnapshotMarker(index, rd.snapshot().term());
        applyLoop.appliedByCore(Math.max(index, applied));
        confState = node.confState();
        snapshotIndex = index;
        logBytesAtSnapshot = logBytesAppended; // the installed snapshot emptied the log
        snapshotsInstalled++;
        log.info("installed snapshot at index {} from the leader; backend applied through {}", index, applied);
        deleteQuietly(dir);
    }

    private static void deleteQuietly(java.nio.file.Path dir) {
        try (var files = java.nio.file.Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (java.io.IOException ignored) {
            // a leftover directory is harmless
        }
    }

    /**
     * Makes the backend durable through the applied index, then ({@link #compactLogAt}) records a
     * snapshot point there and releases the WAL before it. The flush runs on its own thread while
     * the core goes on; the rest comes back to the core as a task.
     */
    private void compactLog() {
        long index = Math.min(applyLoop.appliedIndex(), storage.lastIndex());
        // read now: a sole member may drop the entry from memory (releaseApplied) before the flush ends
        long term = storage.term(index);
        // the apply loop publishes an index only after its batch is in the backend: a flush that
        // starts now makes the backend durable through at least `index`
        long flushStarted = System.nanoTime();
        if (backendFlusher == null) { // stepped: inline, deterministic
            backendSync.run();
            compactLogAt(index, term, (System.nanoTime() - flushStarted) / 1_000_000);
            return;
        }
        flushing = true;
        backendFlusher.execute(() -> {
            RuntimeException failure = null;
            try {
                backendSync.run();
            } catch (RuntimeException e) {
                failure = e;
            }
            long flushMillis = (System.nanoTime() - flushStarted) / 1_000_000;
            RuntimeException failed = failure;
            inbox.add(new CoreInput.Task(() -> {
                flushing = false;
                if (failed != null) throw failed; // a backend that cannot flush stops the member, as a WAL failure does
                compactLogAt(index, term, flushMillis);
            }));
        });
    }

    /** Core thread, the backend durable through {@code index}: the snapshot marker, then the release. */
    private void compactLogAt(long index, long term, long flushMillis) {
        if (index <= snapshotIndex) return; // a leader's snapshot was installed meanwhile
        storage.createSnapshot(index, node.confState(), new byte[0]);
        long keepFrom = Math.max(index - catchUpEntries, storage.compactionPointWithin(index, logBudget.catchUpTail()));
        if (keepFrom > storage.firstIndex()) storage.compact(keepFrom);
        logBytesAtSnapshot = logBytesAppended;
        wal.saveSnapshotMarker(index, term);
        wal.sync();
        // WAL recovery starts at the newest marker, so segments wholly before it are not needed
        int released = wal.releaseTo(index);
        snapshotIndex = index;
        log.info("saved snapshot at index {} (backend flushed in {} ms); compacted raft log to {}, released {} WAL segments",
            index, flushMillis, Math.max(keepFrom, storage.firstIndex()), released);
    }

    /**
     * Normal entries go to the apply loop in runs; a membership change waits for the run before it
     * to be applied, then applies here, where raft's configuration lives.
     */
    private void applyCommitted(List<Entry> committed) throws InterruptedException {
        int from = 0;
        for (int i = 0; i < committed.size(); i++) {
            Entry e = committed.get(i);
            if (e.type() != EntryType.CONF_CHANGE) continue;
            applyLoop.enqueue(List.copyOf(committed.subList(from, i)));
            applyLoop.drain();
            applyConfChange(e);
            from = i + 1;
        }
        // nothing else waiting for the core (one client's write): it applies the run itself, no hand-off
        applyLoop.enqueue(List.copyOf(committed.subList(from, committed.size())), inbox.isEmpty());
    }

    private void applyConfChange(Entry e) {
        ConfChange cc = ConfChange.decode(e.data());
        ConfState cs = node.applyConfChange(cc);
        confState = cs;
        // Already in the backend (a restart replays the WAL): raft keeps membership only in memory, so
        // it must see every conf change again; the backend must not.
        if (e.index() <= applyLoop.appliedIndex()) return;
        applyLoop.answer(stateMachine.applyConfChange(e, cc, cs));
        applyLoop.appliedByCore(e.index());
    }

    private void onSoftState(SoftState s) {
        long previous = leader;
        Role was = role;
        leader = s.leader();
        role = s.role();
        // etcd's raft logs its role changes ("became candidate at term 3"): a start's or a fault's
        // elections can be followed in the log
        if (was != role) log.info("raft.node: {} became {} at term {}", ClusterIds.hex(memberId), role.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'), term);
        if (previous != leader && leader != 0) metrics.leaderChanges.inc();
        if (previous != leader) {
            if (leader != 0) {
                log.info("raft.node: {} elected leader {} at term {}", ClusterIds.hex(memberId), ClusterIds.hex(leader), term);
            } else {
                log.info("raft.node: {} lost leader {} at term {}", ClusterIds.hex(memberId), ClusterIds.hex(previous), term);
            }
            if (leader != 0) reads.leaderElected();
        }
        leaderListener.accept(s);
    }
}
