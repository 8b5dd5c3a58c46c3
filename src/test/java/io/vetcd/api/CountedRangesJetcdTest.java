package io.vetcd.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import io.vetcd.pb.etcdserver.RangeRequest;
import io.vetcd.testing.InJvmMember;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Count-only ranges asked for again and again are answered from the counts the store keeps in
 * memory ({@link io.vetcd.mvcc.MvccStore#countFromMemory}, on the event loop): through jetcd, after
 * every kind of write (creates, updates, single and range deletes, a txn of several operations (etcd refuses two on one key), a
 * lease revoked with its keys), the count must equal a full range's, linearizable and serializable,
 * with the whole header (cluster, member, raft term, the current revision).
 */
class CountedRangesJetcdTest {

    static ByteSequence bs(String s) {
        return ByteSequence.from(s, StandardCharsets.UTF_8);
    }

    @Test
    void repeatedCountsFollowEveryKindOfWrite() throws Exception {
        try (InJvmMember member = InJvmMember.start();
             Client client = Client.builder().endpoints(member.endpoint()).build()) {
            KV kv = client.getKVClient();
            Random rnd = new Random(18);
            for (int i = 0; i < 40; i++) kv.put(bs("c/" + i), bs("v")).get();
            long lease = 0;
            for (int step = 0; step < 100; step++) {
                String k = "c/" + rnd.nextInt(80);
                switch (rnd.nextInt(7)) {
                    case 0, 1 -> kv.put(bs(k), bs("v" + step)).get();
                    case 2 -> kv.delete(bs(k)).get();
                    case 3 -> kv.delete(bs("c/5"), DeleteOption.builder().withRange(bs("c/6")).build()).get();
                    case 4 -> kv.txn().Then(Op.put(bs(k), bs("t"), PutOption.DEFAULT), Op.delete(bs(k + "l"), DeleteOption.DEFAULT),
                            Op.put(bs(k + "x"), bs("t"), PutOption.DEFAULT)).commit().get();
                    case 5 -> {
                        if (lease == 0) {
                            lease = client.getLeaseClient().grant(600).get().getID();
                        }
                        kv.put(bs(k + "l"), bs("leased"), PutOption.builder().withLeaseId(lease).build()).get();
                    }
                    default -> {
                        if (lease != 0) client.getLeaseClient().revoke(lease).get();
                        lease = 0;
                    }
                }
                check(kv, "c/", "c0", false);
                check(kv, "c/1", "c/3", rnd.nextBoolean());
            }
            RangeRequest again = RangeRequest.newBuilder().setKey(ByteString.copyFromUtf8("c/"))
                    .setRangeEnd(ByteString.copyFromUtf8("c0")).setCountOnly(true).build();
            assertNotNull(member.node.server().store().countFromMemory(again), "the repeated count is kept in memory");
        }
    }

    private static void check(KV kv, String from, String to, boolean serializable) throws Exception {
        GetResponse full = kv.get(bs(from), GetOption.builder().withRange(bs(to)).build()).get();
        GetResponse counted = kv.get(bs(from), GetOption.builder().withRange(bs(to)).withCountOnly(true)
                .withSerializable(serializable).build()).get();
        String ctx = from + ".." + to + " at " + full.getHeader().getRevision();
        assertEquals(full.getKvs().size(), full.getCount(), ctx);
        assertEquals(full.getCount(), counted.getCount(), ctx);
        assertTrue(counted.getKvs().isEmpty(), ctx);
        assertEquals(full.getHeader().getRevision(), counted.getHeader().getRevision(), ctx);
        assertEquals(full.getHeader().getClusterId(), counted.getHeader().getClusterId(), ctx);
        assertEquals(full.getHeader().getMemberId(), counted.getHeader().getMemberId(), ctx);
        assertEquals(full.getHeader().getRaftTerm(), counted.getHeader().getRaftTerm(), ctx);
        assertNotEquals(0, counted.getHeader().getMemberId(), ctx);
    }
}
