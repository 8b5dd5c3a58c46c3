package io.vetcd.etcdformat;

import io.vertx.core.json.JsonObject;
import io.vetcd.server.Member;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The snapshot's v2 store JSON carries what etcd 3.4 recovers from it: members, removed ids, the cluster version. */
class EtcdV2StoreJsonTest {
    @Test
    void membersRemovedIdsAndVersionRoundTrip() {
        Member a = new Member(0x8e9e05c52164694dL, "a", List.of("http://127.0.0.1:2380"), List.of("http://127.0.0.1:2379"), false);
        Member b = new Member(0xfd422379fda50e48L, "b", List.of("http://127.0.0.1:2381"), List.of(), true);
        byte[] json = EtcdV2StoreJson.write(List.of(a, b), Set.of(0x91bc3c398fb3c146L), "3.4.0", 42);

        EtcdMembership read = EtcdMembership.fromV2Store(json);
        assertEquals(List.of(a, b), read.members());
        assertEquals(Set.of(0x91bc3c398fb3c146L), read.removed());
        assertEquals("3.4.0", read.clusterVersion());

        // where etcd's membersFromStore looks: /0/removed_members/<hex id>, an empty value
        JsonObject removed = new JsonObject(new String(json, StandardCharsets.UTF_8)).getJsonObject("Root")
            .getJsonObject("Children").getJsonObject("0").getJsonObject("Children").getJsonObject("removed_members");
        JsonObject node = removed.getJsonObject("Children").getJsonObject("91bc3c398fb3c146");
        assertEquals("/0/removed_members/91bc3c398fb3c146", node.getString("Path"));
        assertEquals("", node.getString("Value"));
        assertNull(node.getValue("Children"));
    }

    @Test
    void noRemovedIdsNoDirectory() {
        byte[] json = EtcdV2StoreJson.write(List.of(), Set.of(), null, 1);
        JsonObject zero = new JsonObject(new String(json, StandardCharsets.UTF_8)).getJsonObject("Root")
            .getJsonObject("Children").getJsonObject("0").getJsonObject("Children");
        assertNull(zero.getValue("removed_members"), "etcd creates it only at the first removal");
        assertEquals(Set.of(), EtcdMembership.fromV2Store(json).removed());
    }
}
