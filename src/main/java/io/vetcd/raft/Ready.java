package io.vetcd.raft;

import java.util.ArrayList;
import java.util.List;

/**
 * Everything a node needs the application to do, handed over in one batch by {@link RaftNode#ready()}.
 * Process it in this order, then call {@link RaftNode#advance(Ready)}:
 * <ol>
 *   <li>optionally send {@link #messagesBeforePersist()} right away (leader replication traffic);</li>
 *   <li>persist {@link #snapshot()} (if non-null), {@link #entries()}, then {@link #hardState()} (if non-null),
 *       with an fsync if {@link #mustSync()};</li>
 *   <li>send {@link #messagesAfterPersist()} (all of {@link #messages()} if step 1 was skipped);</li>
 *   <li>apply {@link #committedEntries()} (calling {@link RaftNode#applyConfChange} for conf changes)
 *       and serve {@link #readStates()} once applied through their index.</li>
 * </ol>
 *
 * @param softState        new leader/role, or null if unchanged
 * @param hardState        term/vote/commit to persist, or null if unchanged
 * @param entries          entries to append to stable storage (may overwrite a conflicting suffix)
 * @param snapshot         snapshot to install in stable storage, or null
 * @param committedEntries entries to apply to the state machine, in order
 * @param messages         messages to send
 * @param readStates       answered ReadIndex requests
 * @param mustSync         whether the write must be fsynced (term, vote or entries changed)
 */
public record Ready(SoftState softState, HardState hardState, List<Entry> entries, Snapshot snapshot,
                    List<Entry> committedEntries, List<Message> messages, List<ReadState> readStates,
                    boolean mustSync) {

    /** The messages that may go out before this Ready is persisted (see {@link Message#isSendableBeforePersist()}). */
    public List<Message> messagesBeforePersist() {
        List<Message> out = new ArrayList<>();
        for (Message m : messages) if (m.isSendableBeforePersist()) out.add(m);
        return out;
    }

    /** The messages that must wait until this Ready is persisted. */
    public List<Message> messagesAfterPersist() {
        List<Message> out = new ArrayList<>();
        for (Message m : messages) if (!m.isSendableBeforePersist()) out.add(m);
        return out;
    }

    public boolean containsUpdates() {
        return softState != null || hardState != null || !entries.isEmpty() || snapshot != null
            || !committedEntries.isEmpty() || !messages.isEmpty() || !readStates.isEmpty();
    }
}
