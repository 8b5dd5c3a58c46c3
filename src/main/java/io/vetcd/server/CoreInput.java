package io.vetcd.server;

import io.vetcd.raft.Message;

import java.nio.file.Path;

/**
 * What other threads hand the core through its inbox: proposals, membership changes, linearizable
 * reads waiting for a read index, peers' raft messages, a leader's snapshot, and tasks that must run
 * where raft lives. Sealed, so the core's turn handles every kind and nothing else gets in.
 */
sealed interface CoreInput permits Proposal, ServerCore.ConfProposal, ServerCore.ReadWaiter,
        CoreInput.PeerMessage, CoreInput.IncomingSnapshot, CoreInput.Task {

    /** A raft message from a peer. */
    record PeerMessage(Message message) implements CoreInput { }

    /** A leader's snapshot: its raft message and the backend checkpoint that came with it. */
    record IncomingSnapshot(Message message, Path checkpointDir) implements CoreInput { }

    /** Runs on the core thread, after everything submitted before it. */
    record Task(Runnable run) implements CoreInput { }
}
