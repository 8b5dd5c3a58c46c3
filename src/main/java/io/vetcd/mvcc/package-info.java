/**
 * MVCC storage engine: etcd 3.4 revision semantics on RocksDB.
 *
 * <h2>On-disk layout (one RocksDB instance, six column families)</h2>
 * <dl>
 *   <dt>{@code kv}</dt>
 *   <dd>Every version of every key. Key = {@link io.vetcd.mvcc.KeyEncoding}
 *   {@code escape(userKey) 00 01 (MAX-main)(8B) (MAX-sub)(8B) type(1B)}: ordered by user key, then
 *   newest revision first; {@code type} 1 marks a tombstone. Value = {@link io.vetcd.mvcc.StoredValue}:
 *   {@code 00 createRev version lease value} (varlongs) for a put, empty for a tombstone. A range at
 *   revision R is one bounded iterator scan: per key, seek to the newest version {@code <= R}, emit
 *   it unless it is a tombstone, skip the older versions. No in-memory key index, so the key space
 *   need not fit in the heap.</dd>
 *   <dt>{@code rev}</dt>
 *   <dd>Change log ordered by revision: key = {@code main(8B) sub(8B)} big-endian, value = user key.
 *   Used for watch catch-up ({@code eventsBetween}) and to find the keys a compaction must visit.</dd>
 *   <dt>{@code keys}</dt>
 *   <dd>The same keys as {@code kv} with only the stored header as value ({@link io.vetcd.mvcc.KeyIndex}):
 *   keys-only and historic count-only ranges scan it instead of the values.</dd>
 *   <dt>{@code live}</dt>
 *   <dd>One entry per key live at the current revision: {@code escape(userKey) 00 01} -> mod revision
 *   ({@link io.vetcd.mvcc.LiveKeys}). The count of a range at the current revision is one step per
 *   live key (count-only ranges, and the count of limited lists, which then read only their page).
 *   The counts of up to 64 ranges asked for again and again are also kept in memory at the current
 *   revision, moved by the writer as keys are created and deleted ({@link io.vetcd.mvcc.CountedRanges}).</dd>
 *   <dt>{@code meta}</dt>
 *   <dd>Opaque key/values of other components (leases, auth, membership), written in the same batch
 *   as the kv changes of the raft entry that produced them.</dd>
 *   <dt>{@code default}</dt>
 *   <dd>Store state: {@code consistent_index}, {@code current_revision},
 *   {@code scheduled_compact_revision}, {@code finished_compact_revision} (8-byte big-endian).</dd>
 * </dl>
 *
 * <h2>Atomicity and durability</h2>
 * Each write transaction (one raft entry) stages its changes, meta writes, the new current revision
 * and the consistent index in a batch. An ungrouped txn ({@code beginWrite}) is written alone; the
 * apply loop's puts, deletes and txns are grouped ({@code beginGroupedWrite}): the batches of one
 * applied raft batch go to RocksDB in ONE write at its end ({@code writePending}), like etcd's
 * batched bbolt commits, and only then are revisions published and proposers answered.
 * RocksDB's own WAL is off: the raft WAL is the durability source. A kill -9 keeps what RocksDB
 * had flushed to SST files, which is a consistent prefix of the writes (atomic flush: all column
 * families flush together), and the server re-applies the entries above
 * {@link io.vetcd.mvcc.MvccStore#consistentIndex()} from the raft WAL. For that the raft WAL is
 * released only up to an index the backend has flushed ({@code flush}, called by the server before
 * it records a snapshot point and releases WAL segments, by compaction, snapshot installs and
 * imports). Recently written keys' newest versions are kept in memory ({@link io.vetcd.mvcc.KeyHeads},
 * bounded) so a put needs no seek.

 * <h2>Concurrency</h2>
 * One writer thread (apply loop), any number of reader threads, no lock on the read path. Every
 * read uses its own RocksDB iterator (an implicit point-in-time snapshot); history up to the
 * published current revision is immutable except for compaction, which is ordered so that readers
 * at revisions {@code >= compactRevision} never observe a difference (see
 * {@link io.vetcd.mvcc.CompactionJob}).
 */
package io.vetcd.mvcc;
