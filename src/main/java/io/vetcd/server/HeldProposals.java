package io.vetcd.server;

import io.vetcd.raft.ProposalDroppedException;
import io.vetcd.raft.RaftNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Hands proposals to raft, and holds those made while this member knows no leader (an election, a
 * lost quorum) until one is known. etcd's raft node holds a proposal the same way until a leader
 * exists or the request's timeout passes, so a write or a membership change sent during an
 * election waits rather than fails. A held proposal whose caller gave up (timeout: it is no longer
 * in the waiting map) is forgotten. Held ones keep their order: a proposal that arrives while others
 * are held goes after them.
 *
 * <p>Core thread only.
 */
final class HeldProposals {
    private final RaftNode node;
    /** Proposals awaiting their entry's apply, by request id (the core's; the apply loop answers them). */
    private final Map<Long, Proposal> waiting;
    private final List<Proposal> writes = new ArrayList<>();
    private final List<ServerCore.ConfProposal> confChanges = new ArrayList<>();

    HeldProposals(RaftNode node, Map<Long, Proposal> waiting) {
        this.node = node;
        this.waiting = waiting;
    }

    /** Proposes these (all in the waiting map), after any held ones. */
    void propose(List<Proposal> proposals) {
        if (writes.isEmpty()) proposeNow(proposals);
        else writes.addAll(proposals);
    }

    /** Proposes a membership change (in the waiting map), after any held ones. */
    void propose(ServerCore.ConfProposal cp) {
        if (confChanges.isEmpty()) proposeNow(cp);
        else confChanges.add(cp);
    }

    private void proposeNow(List<Proposal> proposals) {
        List<byte[]> data = new ArrayList<>(proposals.size());
        for (Proposal p : proposals) data.add(p.data());
        try {
            node.proposeBatch(data);
        } catch (ProposalDroppedException e) {
            if (node.leader() == 0) {
                writes.addAll(proposals);
                return;
            }
            // a leadership transfer in progress, or a leader removed from the cluster: etcd's raft drops it too
            for (Proposal p : proposals) {
                if (waiting.remove(p.id()) != null) p.complete(EtcdError.LEADER_CHANGED.exception());
            }
        }
    }

    private void proposeNow(ServerCore.ConfProposal cp) {
        try {
            node.proposeConfChange(cp.change());
        } catch (ProposalDroppedException e) {
            if (node.leader() == 0) {
                confChanges.add(cp);
                return;
            }
            // a leadership transfer in progress, or a leader removed from the cluster
            if (waiting.remove(cp.proposal().id()) != null) cp.proposal().complete(EtcdError.LEADER_CHANGED.exception());
        }
    }

    /** Once a leader is known, proposes the held ones still waiting (not timed out); true if it did. */
    boolean proposeHeld() {
        if ((writes.isEmpty() && confChanges.isEmpty()) || node.leader() == 0) return false;
        List<Proposal> heldWrites = new ArrayList<>(writes.size());
        for (Proposal p : writes) {
            if (waiting.containsKey(p.id())) heldWrites.add(p);
        }
        writes.clear();
        if (!heldWrites.isEmpty()) proposeNow(heldWrites);
        List<ServerCore.ConfProposal> heldConf = new ArrayList<>(confChanges);
        confChanges.clear();
        boolean any = !heldWrites.isEmpty();
        for (ServerCore.ConfProposal cp : heldConf) {
            if (!waiting.containsKey(cp.proposal().id())) continue;
            proposeNow(cp);
            any = true;
        }
        return any;
    }

    /** Forgets held proposals whose callers gave up (their timeout took them out of the waiting map). */
    void forgetAbandoned() {
        if (!writes.isEmpty()) writes.removeIf(p -> !waiting.containsKey(p.id()));
        if (!confChanges.isEmpty()) confChanges.removeIf(cp -> !waiting.containsKey(cp.proposal().id()));
    }

    /** The member stops (the waiting map's proposals are failed by the core). */
    void clear() {
        writes.clear();
        confChanges.clear();
    }
}
