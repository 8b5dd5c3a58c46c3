/**
 * The peer transport: raft messages between members over the peer listener.
 *
 * <p>The hot path is etcd's pair of long-lived streams per peer: a member
 * that wants to receive from peer P dials P's
 * {@code GET /raft/stream/msgapp/<own id>} and {@code .../message/<own id>}
 * ({@link io.vetcd.transport.IncomingStreams}, redialing with backoff), and P
 * writes its messages for that member into the response bodies
 * ({@link io.vetcd.transport.OutgoingStreams}). Appends go on msgapp, the
 * rest on message. When no stream is up, messages are batched and POSTed to
 * the peer's {@code /raft} route, one request in flight per peer; snapshots
 * always go by {@code POST /raft/snapshot}. A slow or dead peer never holds
 * up the others: every queue is bounded, and what does not fit is dropped
 * and raft, told the peer is unreachable, retransmits from its log.
 *
 * <p>Every request names the cluster and the sender ({@code X-Etcd-Cluster-ID},
 * {@code X-Server-From}; streams also {@code X-Raft-To}) and the receiver
 * refuses a mismatch, as etcd does. Bodies are the raft package's own
 * {@link io.vetcd.raft.MessageCodec} frames, each prefixed by its length;
 * vetcd members talk to vetcd members.
 */
package io.vetcd.transport;
