package io.vetcd.wal;

/**
 * The kinds of records in a segment. Codes are persisted and must never be reused. Code 0 is
 * deliberately unused so that zero-filled (preallocated) space can never parse as a record.
 */
enum WalRecordType {
    /** First record of every segment: format magic/version, sequence, first index, metadata. */
    SEGMENT_HEADER(1),
    /** One raft entry: term, index, entry type, data. */
    ENTRY(2),
    /** A raft hard state: term, vote, commit. */
    HARD_STATE(3),
    /** A snapshot marker: index, term. */
    SNAPSHOT(4);

    final int code;

    WalRecordType(int code) { this.code = code; }

    private static final WalRecordType[] BY_CODE = new WalRecordType[256];

    static {
        for (WalRecordType t : values()) BY_CODE[t.code] = t;
    }

    /** The type for a persisted code byte, or null if the byte is not a known record type. */
    static WalRecordType ofCode(int code) {
        return code < 0 || code > 255 ? null : BY_CODE[code];
    }
}
