/**
 * The peer transport: raft messages between members over the peer listener.
 *
 * <p>Senders batch each peer's messages and POST them to the peer's
 * {@code /raft} route, one request in flight per peer so order is kept and a
 * slow or dead peer never holds up the others (its queue is bounded; raft
 * retransmits what is dropped). Every request names the cluster and the
 * sender ({@code X-Etcd-Cluster-ID}, {@code X-Server-From}) and the receiver
 * refuses a mismatch, as etcd does. Message bodies are the raft package's own
 * {@link io.vetcd.raft.MessageCodec} frames, each prefixed by its length.
 */
package io.vetcd.transport;
