package io.vetcd.etcdformat;

/**
 * On-disk constants of a bbolt database file (format version 2), as bbolt's page.go, db.go and
 * bucket.go define them. All integers in a bbolt file are little-endian.
 *
 * <p>A page starts with a 16-byte header: {@code id u64, flags u16, count u16, overflow u32}, where
 * {@code overflow} is the number of extra pages a big page spans. Leaf elements are
 * {@code flags u32, pos u32, ksize u32, vsize u32}; branch elements are {@code pos u32, ksize u32,
 * pgid u64}; {@code pos} is the distance from the element header to its key, and a leaf value
 * follows its key. A bucket's value is its header {@code root pgid u64, sequence u64}.
 */
public final class BoltLayout {
    private BoltLayout() {}

    public static final int PAGE_SIZE = 4096;
    public static final int MAGIC = 0xED0CDAED;
    public static final int VERSION = 2;

    public static final int PAGE_HEADER_SIZE = 16;
    public static final int OFF_PAGE_ID = 0;
    public static final int OFF_PAGE_FLAGS = 8;
    public static final int OFF_PAGE_COUNT = 10;
    public static final int OFF_PAGE_OVERFLOW = 12;

    public static final short BRANCH_PAGE = 0x01;
    public static final short LEAF_PAGE = 0x02;
    public static final short META_PAGE = 0x04;
    public static final short FREELIST_PAGE = 0x10;

    public static final int LEAF_ELEMENT_SIZE = 16;
    public static final int BRANCH_ELEMENT_SIZE = 16;
    /** Leaf element flag marking the value as a nested bucket header. */
    public static final int BUCKET_LEAF_FLAG = 0x01;
    public static final int BUCKET_HEADER_SIZE = 16;

    /** Meta fields, relative to the end of the page header. */
    public static final int META_OFF_MAGIC = 0;
    public static final int META_OFF_VERSION = 4;
    public static final int META_OFF_PAGE_SIZE = 8;
    public static final int META_OFF_FLAGS = 12;
    public static final int META_OFF_ROOT = 16;        // bucket header: root pgid, sequence
    public static final int META_OFF_FREELIST = 32;
    public static final int META_OFF_HIGH_WATER = 40;  // "pgid": first page id past the end of the file
    public static final int META_OFF_TXID = 48;
    public static final int META_OFF_CHECKSUM = 56;    // fnv-64a of the 56 bytes before it

    /** A freelist page whose count field holds this stores the real count in its first u64. */
    public static final int FREELIST_COUNT_OVERFLOW = 0xFFFF;
    /** Meta freelist id meaning "no freelist page written" (bbolt NoFreelistSync). */
    public static final long NO_FREELIST = -1L;
}
