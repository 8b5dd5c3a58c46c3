package io.vetcd.server;

import com.google.protobuf.InvalidProtocolBufferException;
import io.vetcd.pb.internal.LegacyConfChangeContext;
import io.vetcd.pb.internal.LegacyMemberAttributes;
import io.vetcd.raft.ConfChange;

/**
 * Reads a conf change's context as etcd writes it: the member being added, promoted or updated, as
 * JSON ({@link MemberJson}); removals carry none. Conf changes an older vetcd wrote carry a protobuf
 * context instead (a JSON context always starts with '{'), read here so their WAL still replays.
 */
final class ConfChangeContexts {
    private ConfChangeContexts() {}

    /** The member the context describes, or null if it describes none. */
    static Member member(ConfChange cc) {
        byte[] ctx = cc.context();
        if (ctx.length == 0) return null;
        if (ctx[0] == '{') {
            try {
                return MemberJson.decode(ctx);
            } catch (IllegalArgumentException e) {
                return null;
            }
        }
        LegacyConfChangeContext legacy = legacy(ctx);
        if (legacy == null || !legacy.hasMember()) return null;
        LegacyMemberAttributes m = legacy.getMember();
        return new Member(cc.nodeId(), m.getName(), m.getPeerUrlsList(), m.getClientUrlsList(), m.getIsLearner());
    }

    /** The id its proposer waits on: etcd's ConfChange.ID, or an older vetcd's header id. */
    static long requestId(ConfChange cc) {
        if (cc.id() != 0) return cc.id();
        byte[] ctx = cc.context();
        if (ctx.length == 0 || ctx[0] == '{') return 0;
        LegacyConfChangeContext legacy = legacy(ctx);
        return legacy == null ? 0 : legacy.getHeader().getId();
    }

    private static LegacyConfChangeContext legacy(byte[] ctx) {
        try {
            return LegacyConfChangeContext.parseFrom(ctx);
        } catch (InvalidProtocolBufferException e) {
            return null;
        }
    }
}
