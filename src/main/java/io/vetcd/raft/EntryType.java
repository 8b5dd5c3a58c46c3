package io.vetcd.raft;

/** The kinds of raft log entries; codes are stable because the WAL persists them. */
public enum EntryType {
    NORMAL(0), CONF_CHANGE(1);

    public final int code;

    EntryType(int code) { this.code = code; }

    public static EntryType ofCode(int code) {
        return switch (code) {
            case 0 -> NORMAL;
            case 1 -> CONF_CHANGE;
            default -> throw new IllegalArgumentException("unknown entry type " + code);
        };
    }
}
