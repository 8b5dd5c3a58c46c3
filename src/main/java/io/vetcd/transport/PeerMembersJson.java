package io.vetcd.transport;

import io.vetcd.server.Member;
import io.vetcd.server.MemberJson;

import java.util.List;

/**
 * The members as etcd's peer {@code /members} route prints them (json.Encoder over a list of
 * membership.Member, then a newline): each member as {@link MemberJson} writes it (the same JSON
 * etcd puts in conf-change contexts). Written by our peer routes, read by a joining member and by a
 * forwarded promotion, from vetcd and etcd members alike.
 */
public final class PeerMembersJson {
    private PeerMembersJson() {}

    public static String encode(List<Member> members) {
        return MemberJson.encodeAll(members) + "\n";
    }

    public static List<Member> decode(String json) {
        return MemberJson.decodeAll(json);
    }
}
