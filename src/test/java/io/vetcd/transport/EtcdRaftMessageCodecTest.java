package io.vetcd.transport;

import io.vetcd.pb.raft.MessageType;
import io.vetcd.raft.ConfState;
import io.vetcd.raft.Entry;
import io.vetcd.raft.EntryType;
import io.vetcd.raft.Message;
import io.vetcd.raft.Snapshot;
import io.vetcd.raft.SnapshotMetadata;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Our raftpb.Message bytes are etcd's: the reference hex in etcd/raftpb-golden.txt was printed by
 * etcd 3.4's own {@code Message.Marshal()} (src/test/go/raftpbgolden/main.go builds the same
 * messages as {@link #messages()}); encoding must match byte for byte and decoding must give the
 * messages back.
 */
class EtcdRaftMessageCodecTest {
    static final byte[] READ_CTX = {0, 0, 0, 0, 0, 0, 1, 0};

    static Map<String, Message> messages() {
        Map<String, Message> m = new HashMap<>();
        m.put("heartbeat", Message.of(io.vetcd.raft.MessageType.MsgHeartbeat).to(0x8e9e05c52164694dL).from(0x91bc3c398fb3c146L)
            .term(5).commit(17).build());
        m.put("link-heartbeat", MessageFrameEncoder.LINK_HEARTBEAT);
        m.put("heartbeat-ctx", Message.of(io.vetcd.raft.MessageType.MsgHeartbeat).to(2).from(1).term(3).commit(4)
            .context(new byte[]{0, 0, 0, 0, 0, 0, 0, 9}).build());
        m.put("app", Message.of(io.vetcd.raft.MessageType.MsgApp).to(2).from(1).term(7).logTerm(6).index(100).commit(99)
            .entries(List.of(new Entry(7, 101, EntryType.NORMAL, "hello".getBytes(StandardCharsets.UTF_8)),
                new Entry(7, 102, EntryType.CONF_CHANGE, new byte[]{1, 2, 3}),
                new Entry(7, 103, EntryType.NORMAL, null))).build());
        m.put("appresp-reject", Message.of(io.vetcd.raft.MessageType.MsgAppResp).to(1).from(2).term(7).index(50)
            .reject(true).rejectHint(42).build());
        m.put("vote-transfer", Message.of(io.vetcd.raft.MessageType.MsgVote).to(1).from(2).term(8).logTerm(7).index(103)
            .context("CampaignTransfer".getBytes(StandardCharsets.UTF_8)).build());
        // our raft carries the request context in Message.context; etcd in entries[0].Data
        m.put("readindex", Message.of(io.vetcd.raft.MessageType.MsgReadIndex).to(1).from(2).context(READ_CTX).build());
        m.put("readindexresp", Message.of(io.vetcd.raft.MessageType.MsgReadIndexResp).to(2).from(1).term(8).index(120)
            .context(READ_CTX).build());
        TreeSet<Long> learners = new TreeSet<>(List.of(0xfedcba9876543210L));
        m.put("snap", Message.of(io.vetcd.raft.MessageType.MsgSnap).to(3).from(1).term(9)
            .snapshot(new Snapshot(new SnapshotMetadata(1000, 9, new ConfState(new TreeSet<>(List.of(1L, 2L, 3L)), learners)),
                "{\"v2\":1}".getBytes(StandardCharsets.UTF_8))).build());
        return m;
    }

    static Map<String, byte[]> golden() throws IOException {
        Map<String, byte[]> out = new HashMap<>();
        try (InputStream in = EtcdRaftMessageCodecTest.class.getResourceAsStream("/etcd/raftpb-golden.txt")) {
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (line.isBlank()) continue;
                String[] p = line.trim().split(" ");
                out.put(p[0], HexFormat.of().parseHex(p[1]));
            }
        }
        return out;
    }

    @Test
    void encodingIsEtcdsBytes() throws IOException {
        Map<String, byte[]> golden = golden();
        Map<String, Message> messages = messages();
        assertEquals(golden.keySet(), messages.keySet());
        for (var e : messages.entrySet()) {
            byte[] ours = EtcdRaftMessageCodec.encode(e.getValue());
            assertEquals(HexFormat.of().formatHex(golden.get(e.getKey())), HexFormat.of().formatHex(ours), e.getKey());
            assertEquals(ours.length, EtcdRaftMessageCodec.encodedSize(e.getValue()), e.getKey());
        }
    }

    @Test
    void etcdsBytesDecodeToTheSameMessages() throws IOException {
        Map<String, Message> messages = messages();
        for (var e : golden().entrySet()) {
            Message want = messages.get(e.getKey());
            Message got = EtcdRaftMessageCodec.decode(e.getValue());
            StreamCodecTest.assertSame(want, got);
            assertEquals(want.reject(), got.reject());
            assertEquals(want.rejectHint(), got.rejectHint());
            if (want.snapshot() == null) {
                assertNull(got.snapshot(), e.getKey());
            } else {
                assertEquals(want.snapshot().metadata(), got.snapshot().metadata());
                assertArrayEquals(want.snapshot().data(), got.snapshot().data());
            }
        }
    }

    /** The generated protobuf classes (src/main/proto/etcd/raft.proto) read our bytes as the same message. */
    @Test
    void generatedClassesAgree() throws Exception {
        byte[] bytes = EtcdRaftMessageCodec.encode(messages().get("snap"));
        io.vetcd.pb.raft.Message pb = io.vetcd.pb.raft.Message.parseFrom(bytes);
        assertEquals(MessageType.MsgSnap, pb.getType());
        assertEquals(List.of(1L, 2L, 3L), pb.getSnapshot().getMetadata().getConfState().getVotersList());
        assertEquals(1000, pb.getSnapshot().getMetadata().getIndex());
        // and a message with fields in another order and unknown fields decodes
        io.vetcd.pb.raft.Message shuffled = pb.toBuilder().setCommit(5).setContext(com.google.protobuf.ByteString.copyFromUtf8("x"))
            .setUnknownFields(com.google.protobuf.UnknownFieldSet.newBuilder()
                .addField(99, com.google.protobuf.UnknownFieldSet.Field.newBuilder().addVarint(7).build()).build()).build();
        Message back = EtcdRaftMessageCodec.decode(shuffled.toByteArray());
        assertEquals(5, back.commit());
        assertArrayEquals("x".getBytes(StandardCharsets.UTF_8), back.context());
    }

    @Test
    void garbageIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> EtcdRaftMessageCodec.decode(new byte[]{(byte) 0xff, 1, 2}));
        assertThrows(IllegalArgumentException.class, () -> EtcdRaftMessageCodec.decode(new byte[]{0x08, 99})); // unknown type
        assertThrows(IllegalArgumentException.class, () -> EtcdRaftMessageCodec.decode(new byte[]{0x3a, 0x05, 0x08})); // truncated entry
    }
}
