/**
 * MVCC storage engine: etcd 3.4 revision semantics on RocksDB.
 *
 * <h2>On-disk layout (one RocksDB instance, four column families)</h2>
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
 *   <dt>{@code meta}</dt>
 *   <dd>Opaque key/values of other components (leases, auth, membership), written in the same batch
 *   as the kv changes of the raft entry that produced them.</dd>
 *   <dt>{@code default}</dt>
 *   <dd>Store state: {@code consistent_index}, {@code current_revision},
 *   {@code scheduled_compact_revision}, {@code finished_compact_revision} (8-byte big-endian).</dd>
 * </dl>
 *
 * <h2>Atomicity and durability</h2>
 * Each write transaction (one raft entry) is ONE {@code WriteBatch} with its changes, meta writes,
 * the new current revision and the consistent index. RocksDB's WAL is on but not synced: the raft
 * WAL is the durability source, and after a crash the server re-applies entries with an index above
 * {@link io.vetcd.mvcc.MvccStore#consistentIndex()}; batches are atomic, so every entry is either
 * fully applied or not at all.
 *
 * <h2>Concurrency</h2>
 * One writer thread (apply loop), any number of reader threads, no lock on the read path. Every
 * read uses its own RocksDB iterator (an implicit point-in-time snapshot); history up to the
 * published current revision is immutable except for compaction, which is ordered so that readers
 * at revisions {@code >= compactRevision} never observe a difference (see
 * {@link io.vetcd.mvcc.CompactionJob}).
 */
package io.vetcd.mvcc;
