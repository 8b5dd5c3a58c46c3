/**
 * Raft consensus as a pure, deterministic state machine, modelled on etcd's raft library.
 *
 * <h2>The idea</h2>
 * Raft keeps a replicated log identical on a majority of members. This package contains only the
 * <em>decisions</em>: who leads, what is appended, what is committed. It does no I/O, reads no clock,
 * starts no threads and draws randomness only from the seeded {@link java.util.random.RandomGenerator}
 * in {@link io.vetcd.raft.RaftConfig}. The application supplies time (by calling
 * {@link io.vetcd.raft.RaftNode#tick()}), the network (by passing received messages to
 * {@link io.vetcd.raft.RaftNode#step}) and the disk (by persisting what a
 * {@link io.vetcd.raft.Ready} asks for). Because of that, a whole cluster can run inside one thread
 * under a seeded simulator that reproduces any failure exactly (see the tests' {@code Simulation}).
 *
 * <h2>Driving a node</h2>
 * <pre>{@code
 * RaftNode node = new RaftNode(RaftConfig.defaults(id, new SplittableRandom(seed)), storage);
 * // new cluster only: node.bootstrap(List.of(1L, 2L, 3L));
 * loop:
 *   every tick interval:   node.tick();
 *   on message from peer:  node.step(msg);
 *   on client write:       node.propose(bytes);          // throws ProposalDroppedException if no leader
 *   on linearizable read:  node.readIndex(uniqueCtx);    // answer arrives as a ReadState
 *   while (node.hasReady()) {
 *     Ready rd = node.ready();
 *     send(rd.messagesBeforePersist());                   // optional: leader traffic may overlap the fsync
 *     persist(rd.snapshot(), rd.entries(), rd.hardState()); // fsync if rd.mustSync()
 *     send(rd.messagesAfterPersist());                    // responses and votes are promises about the disk
 *     apply(rd.committedEntries());                       // conf changes: node.applyConfChange(cc)
 *     serve(rd.readStates());                             // once applied through ReadState.index()
 *     node.advance(rd);
 *   }
 * }</pre>
 *
 * <h2>Map of the package</h2>
 * <ul>
 *   <li>{@link io.vetcd.raft.RaftNode}, {@link io.vetcd.raft.Ready}, {@link io.vetcd.raft.Status}: the application's API.</li>
 *   <li>{@code Raft}: the protocol itself (elections, pre-vote, check quorum, replication, ReadIndex,
 *       leadership transfer, membership). Package-private.</li>
 *   <li>{@code RaftLog} = {@link io.vetcd.raft.Storage} (durable prefix) + {@code UnstableLog} (tail not yet
 *       persisted), with the commit and apply cursors. {@link io.vetcd.raft.MemoryStorage} is the in-memory
 *       Storage.</li>
 *   <li>{@code Progress} / {@code Inflights}: the leader's per-follower replication state and flow control
 *       (probe, replicate, snapshot).</li>
 *   <li>{@code PendingReads}: ReadIndex requests waiting for a heartbeat quorum.</li>
 *   <li>Data: {@link io.vetcd.raft.Entry}, {@link io.vetcd.raft.HardState}, {@link io.vetcd.raft.Message}
 *       (+ {@link io.vetcd.raft.MessageCodec} for the wire), {@link io.vetcd.raft.Snapshot},
 *       {@link io.vetcd.raft.ConfChange}, {@link io.vetcd.raft.ConfState}.</li>
 * </ul>
 *
 * <h2>Rules worth knowing</h2>
 * <ul>
 *   <li>A leader counts an entry toward commit only if it is from its own term (Raft §5.4.2); every new
 *       leader appends an empty entry so earlier entries commit promptly.</li>
 *   <li>A leader counts its <em>own</em> log toward commit only after {@link io.vetcd.raft.RaftNode#advance}
 *       reports it durable. That is what makes sending MsgApp before the leader's own fsync safe.</li>
 *   <li>Membership changes take effect when applied, one at a time. The initial membership is written to
 *       the log by {@link io.vetcd.raft.RaftNode#bootstrap} so later joiners can replay it.</li>
 *   <li>Learners replicate but never campaign and are never counted in a quorum. Any node answers vote
 *       requests (it may have been promoted without knowing yet); only voters' answers are counted.</li>
 *   <li>ReadIndex answers only after the leader has committed an entry in its term and a quorum has
 *       acknowledged a heartbeat sent after the request arrived.</li>
 * </ul>
 */
package io.vetcd.raft;
