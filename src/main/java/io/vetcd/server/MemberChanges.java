package io.vetcd.server;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vetcd.raft.ConfChangeType;
import io.vetcd.raft.PeerProgress;
import io.vetcd.raft.Status;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/**
 * Membership changes with etcd's rules (etcdserver's AddMember, RemoveMember,
 * UpdateMember, PromoteMember and publish): each is a raft conf change whose
 * context names the member; it completes once applied on this member.
 */
public final class MemberChanges {
    private static final Logger log = LoggerFactory.getLogger("etcdserver");
    /** A learner may be promoted once it has this much of the leader's log (etcd's readyPercent). */
    private static final double LEARNER_READY = 0.9;

    private final Vertx vertx;
    private final EtcdServer server;
    private final boolean strictReconfigCheck;

    public MemberChanges(Vertx vertx, EtcdServer server, boolean strictReconfigCheck) {
        this.vertx = vertx;
        this.server = server;
        this.strictReconfigCheck = strictReconfigCheck;
    }

    /** The new member (with the id etcd would give it) and the members after the change. */
    public record Added(Member member, List<Member> members) { }

    public Future<Added> add(List<String> peerUrls, boolean learner) {
        if (peerUrls.isEmpty() || !peerUrls.stream().allMatch(MemberChanges::validUrl)) {
            return Future.failedFuture(EtcdError.MEMBER_BAD_URLS.exception());
        }
        Membership ms = server.membership();
        for (Member m : ms.members()) {
            for (String u : m.peerUrls()) {
                if (peerUrls.contains(u)) return Future.failedFuture(EtcdError.PEER_URL_EXIST.exception());
            }
        }
        if (strictReconfigCheck && !learner && !readyToAddVoter(ms)) {
            return Future.failedFuture(EtcdError.MEMBER_NOT_ENOUGH_STARTED.exception());
        }
        long id = ClusterIds.memberId(peerUrls, "", System.currentTimeMillis() / 1000);
        if (ms.get(id) != null) return Future.failedFuture(EtcdError.MEMBER_EXIST.exception());
        Member added = new Member(id, "", peerUrls, List.of(), learner);
        return server.proposeConfChange(learner ? ConfChangeType.ADD_LEARNER_NODE : ConfChangeType.ADD_NODE, id, added)
            .map(members -> new Added(added, members));
    }

    public Future<List<Member>> remove(long id) {
        Membership ms = server.membership();
        Member m = ms.get(id);
        if (m == null) return Future.failedFuture(EtcdError.MEMBER_NOT_FOUND.exception());
        if (strictReconfigCheck && !m.learner()) {
            long voters = ms.members().stream().filter(x -> !x.learner()).count();
            long startedAfter = ms.members().stream().filter(x -> !x.learner() && x.id() != id && started(x)).count();
            if (startedAfter < (voters - 1) / 2 + 1) return Future.failedFuture(EtcdError.MEMBER_NOT_ENOUGH_STARTED.exception());
        }
        return server.proposeConfChange(ConfChangeType.REMOVE_NODE, id, null);
    }

    public Future<List<Member>> update(long id, List<String> peerUrls) {
        if (peerUrls.isEmpty() || !peerUrls.stream().allMatch(MemberChanges::validUrl)) {
            return Future.failedFuture(EtcdError.MEMBER_BAD_URLS.exception());
        }
        Membership ms = server.membership();
        if (ms.get(id) == null) return Future.failedFuture(EtcdError.MEMBER_NOT_FOUND.exception());
        for (Member m : ms.members()) {
            if (m.id() == id) continue;
            for (String u : m.peerUrls()) if (peerUrls.contains(u)) return Future.failedFuture(EtcdError.PEER_URL_EXIST.exception());
        }
        // etcd's context for an update names only the id and the new peer URLs
        return server.proposeConfChange(ConfChangeType.UPDATE_NODE, id, new Member(id, "", peerUrls, List.of(), false));
    }

    /** Asks the leader over the peer route (set by the node; promotion is the leader's decision). */
    public interface LeaderForwarder {
        Future<List<Member>> promote(Member leader, long id);
    }

    private volatile LeaderForwarder forwarder;

    public void forwarder(LeaderForwarder f) { this.forwarder = f; }

    /** Promotion is decided by the leader, which alone knows how far the learner has caught up. */
    public Future<List<Member>> promote(long id) {
        ServerCore c = server.core();
        Member leader = server.membership().get(c.leaderId());
        if (!c.isLeader() && leader != null && forwarder != null) return forwarder.promote(leader, id);
        return promoteHere(id);
    }

    /** The leader's side of a promotion. */
    public Future<List<Member>> promoteHere(long id) {
        Membership ms = server.membership();
        Member m = ms.get(id);
        if (m == null) return Future.failedFuture(EtcdError.MEMBER_NOT_FOUND.exception());
        if (!m.learner()) return Future.failedFuture(EtcdError.MEMBER_NOT_LEARNER.exception());
        ServerCore core = server.core();
        if (!core.isLeader()) return Future.failedFuture(EtcdError.NOT_LEADER.exception());
        Status st = core.status();
        PeerProgress learner = st.progress().get(id);
        PeerProgress self = st.progress().get(ms.localId());
        if (learner != null && self != null && learner.match() < self.match() * LEARNER_READY) {
            return Future.failedFuture(EtcdError.LEARNER_NOT_READY.exception());
        }
        // etcd's promotion is an AddNode whose context is the member, no longer a learner
        return server.proposeConfChange(ConfChangeType.ADD_NODE, id,
            new Member(m.id(), m.name(), m.peerUrls(), m.clientUrls(), false));
    }

    /**
     * etcd's publish: the member announces its name and client URLs through
     * raft once there is a leader; retried until it is applied.
     */
    public Future<Void> publish(String name, List<String> clientUrls) {
        Membership ms = server.membership();
        return server.proposeV2(id -> V2Requests.publish(ms.localId(), name, clientUrls, id))
            .<Void>mapEmpty()
            .recover(err -> {
                log.warn("failed to publish local member to cluster through raft: {}; retrying", err.getMessage());
                return vertx.timer(500).compose(t -> publish(name, clientUrls));
            });
    }

    private static boolean started(Member m) {
        return !m.name().isEmpty();
    }

    private static boolean readyToAddVoter(Membership ms) {
        long voters = ms.members().stream().filter(x -> !x.learner()).count();
        long started = ms.members().stream().filter(x -> !x.learner() && started(x)).count();
        // growing a one-member cluster to two is how data is restored into a new cluster: allowed
        if (voters == 1 && started == 1) return true;
        // after adding one voter, the started voters must still be a quorum
        return started >= (voters + 1) / 2 + 1;
    }

    private static boolean validUrl(String u) {
        try {
            URI uri = new URI(u);
            // etcd's types.NewURLs: http(s) and unix(s) sockets, host:port, no path
            return switch (String.valueOf(uri.getScheme())) {
                case "http", "https", "unix", "unixs" -> uri.getHost() != null && uri.getPort() > 0;
                default -> false;
            };
        } catch (Exception e) {
            return false;
        }
    }

    /** Members in etcd's proto shape. */
    public static List<io.vetcd.pb.etcdserver.Member> toProto(List<Member> members) {
        List<io.vetcd.pb.etcdserver.Member> out = new ArrayList<>();
        for (Member m : members) out.add(m.toProto());
        return out;
    }
}
