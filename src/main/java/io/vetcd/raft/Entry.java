package io.vetcd.raft;

/**
 * One raft log entry. {@code data} is opaque to raft: the server puts encoded
 * requests (normal entries) or membership changes (conf-change entries) in it.
 */
public record Entry(long term, long index, EntryType type, byte[] data) {
    public Entry {
        if (term < 0 || index < 0) throw new IllegalArgumentException("negative term/index");
        if (type == null) type = EntryType.NORMAL;
        if (data == null) data = new byte[0];
    }
}
