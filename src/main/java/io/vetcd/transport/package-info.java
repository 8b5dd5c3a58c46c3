/**
 * The peer transport: raft messages between members over the peer listener, in etcd 3.4's
 * rafthttp protocol byte for byte, so vetcd and etcd members form one cluster (and vetcd
 * members talk to each other the same way: one protocol, not two).
 *
 * <p>Messages are etcd's {@code raftpb.Message} protobufs ({@link io.vetcd.transport.EtcdRaftMessageCodec}).
 * The hot path is etcd's pair of long-lived streams per peer: a member that wants to receive
 * from peer P dials P's {@code GET /raft/stream/msgapp/<own id>} and {@code .../message/<own id>}
 * ({@link io.vetcd.transport.IncomingStreams}, redialing with backoff), and P writes its messages
 * for that member into the response bodies ({@link io.vetcd.transport.OutgoingStreams}): appends
 * on msgapp in etcd's msgappv2 framing ({@link io.vetcd.transport.MsgAppV2Encoder}), the rest on
 * message as 8-byte-length frames ({@link io.vetcd.transport.MessageFrameEncoder}), with link
 * heartbeats on idle streams. When no stream is up, each message is POSTed alone to the peer's
 * {@code /raft} route, up to four in flight per peer as etcd's pipeline does; snapshots always go
 * by {@code POST /raft/snapshot} as etcd's merged snapshot (the MsgSnap frame, then the database
 * to the end of the body). A slow or dead peer never holds up the others: every queue is bounded,
 * and what does not fit is dropped and raft, told the peer is unreachable, retransmits from its log.
 *
 * <p>Every request carries etcd's headers ({@code X-Etcd-Cluster-ID}, {@code X-Server-From},
 * {@code X-Server-Version}, {@code X-Min-Cluster-Version}, {@code X-PeerURLs}; stream dials also
 * {@code X-Raft-To}) and the receiver checks them as etcd does, answering with etcd's status codes
 * and texts ({@link io.vetcd.transport.PeerRequestCheck}). Peer URLs may be {@code http},
 * {@code https}, or Unix domain sockets ({@code unix}, {@code unixs}; {@link io.vetcd.transport.PeerUrls}).
 */
package io.vetcd.transport;
