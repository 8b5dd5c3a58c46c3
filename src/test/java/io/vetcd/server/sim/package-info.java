/**
 * A deterministic simulation of the server layer: the real {@link io.vetcd.server.ServerCore}
 * (core loop: raft, WAL group commit, log compaction, snapshot installs, read indexes),
 * {@code ApplyLoop}, {@link io.vetcd.server.EtcdServer} as the state machine,
 * {@link io.vetcd.wal.Wal}, {@link io.vetcd.mvcc.MvccStore} (RocksDB in a temporary directory,
 * on {@code /dev/shm} when there is one) and {@link io.vetcd.lease.Lessor} of 3 or 5 members, all
 * run by one thread in an order a seed decides.
 *
 * <h2>How it is driven</h2>
 * <ul>
 *   <li>{@link io.vetcd.server.sim.SimScheduler}: virtual time and one event queue; the only source
 *       of order. Each member has a core "thread" (a turn when raft's tick is due on its clock, or
 *       soon after input arrives: {@code ServerCore.runTurn}) and an apply "thread" (a batch a
 *       little later, sometimes much later: {@code ServerCore.applyNext}), so applying overlaps the
 *       next WAL write as in the threaded server, in every interleaving the seed picks.</li>
 *   <li>Clocks: each member's monotonic clock (given to {@code ServerCore} and the {@code Lessor})
 *       is virtual time plus an offset that changes at each restart; a stalled member's clock runs
 *       on while its loops do not (a GC pause or SIGSTOP).</li>
 *   <li>{@link io.vetcd.server.sim.CrashableFileSystem}: the WAL's directory is an in-memory
 *       {@code java.nio.file.FileSystem}; a crash keeps what was fsynced (files) and what a
 *       directory fsync made durable (names), plus sometimes a torn unsynced tail.</li>
 *   <li>{@link io.vetcd.server.sim.SimNetwork}: per-message random delay (reordering), loss,
 *       duplication, cut links (a member isolated, the leader isolated, one-way cuts); snapshots
 *       carry the leader's backend as etcd's bbolt file, as the peer transport does.</li>
 *   <li>Faults ({@link io.vetcd.server.sim.ServerSimulation}): power loss of a member or of a
 *       majority at once, restart from disk, partitions, stalls, bursts of loss and latency.
 *       Clients put, delete, grant leases, attach keys, keep leases alive (through the leader,
 *       after a read barrier, as {@code LeaseRequests.renewHere}) and revoke them; the leader
 *       expires leases every 500 ms of its clock, as {@code LeaseExpiryLoop}.</li>
 * </ul>
 *
 * <h2>What is checked</h2>
 * {@link io.vetcd.server.sim.ServerInvariants}, at every apply and every committed revision: each
 * index applied once, in order, the same entry on every member, leaving the same revision; revisions
 * dense and the same events on every member; an acknowledged put is at its revision everywhere; a
 * restarted member's WAL reaches at least as far as its backend applied; a lease is expired only by
 * the leader's lessor and only once its TTL has passed on that leader's clock since it last granted,
 * renewed or took over the lease. At the end the network heals, every member restarts, and they must
 * converge on the same revision and hash, each holding every acknowledged put.
 *
 * <h2>What is not the real code</h2>
 * The bootstrap (opening the WAL and backend, restarting raft) repeats {@code VetcdNode.openStorage}'s
 * steps; proposals are submitted as {@code EtcdServer.proposeRaw} builds them, without Vert.x futures
 * (they settle on the simulation's thread); the lease expiry pass repeats {@code LeaseExpiryLoop}'s.
 *
 * <p>Run and replay: see {@link io.vetcd.server.sim.ServerSimulationTest} and the README.
 */
package io.vetcd.server.sim;
