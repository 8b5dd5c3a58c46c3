package io.vetcd.transport;

import io.vetcd.server.Member;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** /members as etcd 3.4.23 prints it (ids are unsigned JSON numbers, often above Long.MAX_VALUE). */
class PeerMembersJsonTest {
    /** Captured from a real etcd 3.4.23 peer listener (curl -s http://.../members), plus a learner. */
    static final String ETCD = "[{\"id\":13668033151171901709,\"peerURLs\":[\"http://127.0.0.1:23801\"],\"name\":\"e1\","
        + "\"clientURLs\":[\"http://127.0.0.1:23791\"]},{\"id\":1234,\"peerURLs\":[\"http://127.0.0.1:23802\"],\"isLearner\":true}]\n";

    @Test
    void readsAndWritesEtcdsJson() {
        List<Member> members = PeerMembersJson.decode(ETCD);
        assertEquals(2, members.size());
        assertEquals(Long.parseUnsignedLong("13668033151171901709"), members.get(0).id());
        assertEquals("e1", members.get(0).name());
        assertEquals(List.of("http://127.0.0.1:23791"), members.get(0).clientUrls());
        assertEquals(true, members.get(1).learner());
        assertEquals("", members.get(1).name());
        assertEquals(ETCD, PeerMembersJson.encode(members));
    }

    @Test
    void readsOlderVetcdHexIds() {
        assertEquals(0xbdaeL, PeerMembersJson.decode("[{\"id\":\"bdae\",\"peerURLs\":[]}]").get(0).id());
    }
}
