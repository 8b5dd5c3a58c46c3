/**
 * vetcd's write-ahead log: the durable record of a raft member's hard state, log entries and
 * snapshot markers.
 *
 * <h2>Files</h2>
 * A WAL directory holds segment files named {@code <seq>-<firstIndex>.wal}, both fields 16 lower-case
 * hex digits: {@code seq} counts up from 1 with no gaps (a gap means a lost segment), and
 * {@code firstIndex} is last index + 1 at the time the segment was started, so segments can be chosen
 * by index from their names. New segments are written as {@code *.wal.tmp}, fsynced and renamed, and
 * the directory is fsynced, so a segment name on disk always has a valid header. A {@code LOCK} file
 * holds an OS lock while the WAL is open.
 *
 * <h2>Records</h2>
 * A segment is a sequence of records, back to back, all integers little-endian:
 * <pre>
 *   offset 0  u32  length   payload length in bytes (header not included)
 *          4  u32  crc      CRC32C over type + payload
 *          8  u8   type     1 SEGMENT_HEADER, 2 ENTRY, 3 HARD_STATE, 4 SNAPSHOT (0 never used)
 *          9  ...  payload
 * </pre>
 * Payloads:
 * <pre>
 *   SEGMENT_HEADER  u32 magic "VWAL" | u16 version (1) | u64 seq | u64 firstIndex | metadata bytes
 *   ENTRY           u64 term | u64 index | u8 entry type (0 normal, 1 conf change) | data bytes
 *   HARD_STATE      u64 term | u64 vote | u64 commit
 *   SNAPSHOT        u64 index | u64 term
 * </pre>
 * Every segment starts with SEGMENT_HEADER, followed by the latest SNAPSHOT marker and HARD_STATE
 * known when the segment was started. That makes any suffix of segments self-sufficient, which is
 * what allows {@code releaseTo} to delete old segments. Entry records are self-describing
 * (term/index/type), so replay needs no other state.
 *
 * <h2>Writing</h2>
 * Records are encoded into a reusable direct buffer and written with one positional write per
 * {@code sync()}, followed by one {@code fdatasync} (group commit). Within a {@code save}, entries
 * are written before the hard state, so a torn batch never leaves a commit index beyond the
 * surviving entries. A segment that has reached the
 * configured size after a sync is truncated to its data and a new one is started. With
 * preallocation on, new segments are extended (sparsely) to the segment size so appends do not grow
 * the file; the unused tail reads as zeros, and type code 0 guarantees zeros never parse as a record.
 *
 * <h2>Recovery</h2>
 * Replay reads the segments in order: the last HARD_STATE wins; an ENTRY at or below the last index
 * truncates the log there (raft overwrite); SNAPSHOT markers at or below the persisted commit index
 * are trusted, and the newest trusted one (optionally bounded by the caller, see
 * {@code Wal.open(dir, opts, maxSnapshotIndex)}) is where the returned entries start; the entries
 * from there on must be contiguous or open fails. A bad record (unknown type, impossible length,
 * CRC mismatch) is
 * <ul>
 *   <li>a torn tail, cut off on open, if it is in the last segment, no valid record exists
 *       anywhere after it, and it looks interrupted (etcd's rule): cut off by the end of the file, or
 *       with a part inside one 512-byte sector that is all zeros (space that was never written); or</li>
 *   <li>corruption otherwise ({@link io.vetcd.wal.WalCorruptException} with file and offset): in a
 *       non-last segment, or followed by a valid record, which could only have been written after the
 *       damaged one was fsynced, or a complete last record with data in every sector whose checksum
 *       fails (a bit flip in an acknowledged record: cutting it off would lose it silently).</li>
 * </ul>
 */
package io.vetcd.wal;
