package io.vetcd.api;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.kv.DeleteResponse;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.kv.PutResponse;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.CompactOption;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import io.vetcd.testing.InJvmMember;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ExecutionException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every KV option through jetcd, a real client, against an in-JVM member.
 * jetcd reports errors as "CODE: message", so each assertion checks both.
 */
class KvJetcdTest {
    static InJvmMember member;
    static Client client;
    static KV kv;

    @BeforeAll
    static void start() throws Exception {
        member = InJvmMember.start("--max-txn-ops", "8", "--max-request-bytes", "65536");
        client = Client.builder().endpoints(member.endpoint()).build();
        kv = client.getKVClient();
    }

    @AfterAll
    static void stop() {
        client.close();
        member.close();
    }

    static ByteSequence bs(String s) { return ByteSequence.from(s, StandardCharsets.UTF_8); }

    static String str(ByteSequence b) { return b.toString(StandardCharsets.UTF_8); }

    static String error(Throwable t) {
        while (t instanceof ExecutionException && t.getCause() != null) t = t.getCause();
        return t.getMessage();
    }

    @Test
    void putGetVersionsAndRevisions() throws Exception {
        PutResponse p1 = kv.put(bs("rv/a"), bs("1")).get();
        PutResponse p2 = kv.put(bs("rv/a"), bs("2"), PutOption.builder().withPrevKV().build()).get();
        assertEquals(p1.getHeader().getRevision() + 1, p2.getHeader().getRevision());
        assertTrue(p2.hasPrevKv());
        assertEquals("1", str(p2.getPrevKv().getValue()));
        KeyValue kvNow = kv.get(bs("rv/a")).get().getKvs().get(0);
        assertEquals(2, kvNow.getVersion());
        assertEquals(p1.getHeader().getRevision(), kvNow.getCreateRevision());
        assertEquals(p2.getHeader().getRevision(), kvNow.getModRevision());
        // reading at the first revision sees the first value
        GetResponse old = kv.get(bs("rv/a"), GetOption.builder().withRevision(p1.getHeader().getRevision()).build()).get();
        assertEquals("1", str(old.getKvs().get(0).getValue()));
    }

    @Test
    void prefixSortLimitCountKeysOnly() throws Exception {
        for (String k : List.of("p/c", "p/a", "p/b", "p/d")) kv.put(bs(k), bs("v-" + k)).get();
        GetResponse desc = kv.get(bs("p/"), GetOption.builder().isPrefix(true)
            .withSortField(GetOption.SortTarget.KEY).withSortOrder(GetOption.SortOrder.DESCEND).withLimit(2).build()).get();
        assertEquals(List.of("p/d", "p/c"), desc.getKvs().stream().map(x -> str(x.getKey())).toList());
        assertTrue(desc.isMore());
        assertEquals(4, desc.getCount());
        GetResponse byMod = kv.get(bs("p/"), GetOption.builder().isPrefix(true)
            .withSortField(GetOption.SortTarget.MOD).withSortOrder(GetOption.SortOrder.ASCEND).build()).get();
        assertEquals(List.of("p/c", "p/a", "p/b", "p/d"), byMod.getKvs().stream().map(x -> str(x.getKey())).toList());
        GetResponse keysOnly = kv.get(bs("p/"), GetOption.builder().isPrefix(true).withKeysOnly(true).build()).get();
        assertTrue(keysOnly.getKvs().stream().allMatch(x -> x.getValue().isEmpty()));
        GetResponse countOnly = kv.get(bs("p/"), GetOption.builder().isPrefix(true).withCountOnly(true).build()).get();
        assertEquals(4, countOnly.getCount());
        assertTrue(countOnly.getKvs().isEmpty());
        GetResponse fromKey = kv.get(bs("p/c"), GetOption.builder().withRange(bs("\0")).build()).get();
        assertTrue(fromKey.getKvs().stream().map(x -> str(x.getKey())).toList().containsAll(List.of("p/c", "p/d")));
    }

    @Test
    void deleteWithPrevKvAndRecreate() throws Exception {
        kv.put(bs("d/1"), bs("a")).get();
        kv.put(bs("d/2"), bs("b")).get();
        DeleteResponse del = kv.delete(bs("d/"), DeleteOption.builder().isPrefix(true).withPrevKV(true).build()).get();
        assertEquals(2, del.getDeleted());
        assertEquals(2, del.getPrevKvs().size());
        assertEquals(0, kv.get(bs("d/"), GetOption.builder().isPrefix(true).build()).get().getCount());
        PutResponse again = kv.put(bs("d/1"), bs("c")).get();
        KeyValue recreated = kv.get(bs("d/1")).get().getKvs().get(0);
        assertEquals(1, recreated.getVersion());
        assertEquals(again.getHeader().getRevision(), recreated.getCreateRevision());
    }

    @Test
    void txnComparesAndBranches() throws Exception {
        kv.put(bs("t/k"), bs("v1")).get();
        TxnResponse ok = kv.txn()
            .If(new Cmp(bs("t/k"), Cmp.Op.EQUAL, CmpTarget.value(bs("v1"))))
            .Then(Op.put(bs("t/k"), bs("v2"), PutOption.DEFAULT), Op.get(bs("t/k"), GetOption.DEFAULT))
            .Else(Op.put(bs("t/else"), bs("x"), PutOption.DEFAULT))
            .commit().get();
        assertTrue(ok.isSucceeded());
        assertEquals("v2", str(ok.getGetResponses().get(0).getKvs().get(0).getValue()), "txn reads its own write");
        TxnResponse fail = kv.txn()
            .If(new Cmp(bs("t/k"), Cmp.Op.GREATER, CmpTarget.version(5)))
            .Then(Op.put(bs("t/then"), bs("x"), PutOption.DEFAULT))
            .Else(Op.delete(bs("t/k"), DeleteOption.DEFAULT))
            .commit().get();
        assertFalse(fail.isSucceeded());
        assertEquals(1, fail.getDeleteResponses().get(0).getDeleted());
        assertEquals(0, kv.get(bs("t/then")).get().getCount());
        // a compare on a missing key's value is false; on its version it compares with 0
        TxnResponse missing = kv.txn().If(new Cmp(bs("t/none"), Cmp.Op.EQUAL, CmpTarget.version(0))).commit().get();
        assertTrue(missing.isSucceeded());
    }

    @Test
    void txnErrors() {
        Op[] many = new Op[9];
        for (int i = 0; i < many.length; i++) many[i] = Op.put(bs("many/" + i), bs("v"), PutOption.DEFAULT);
        assertEquals("INVALID_ARGUMENT: etcdserver: too many operations in txn request",
            error(assertThrows(ExecutionException.class, () -> kv.txn().Then(many).commit().get())));
        assertEquals("INVALID_ARGUMENT: etcdserver: duplicate key given in txn request",
            error(assertThrows(ExecutionException.class, () -> kv.txn()
                .Then(Op.put(bs("dup"), bs("1"), PutOption.DEFAULT), Op.put(bs("dup"), bs("2"), PutOption.DEFAULT)).commit().get())));
    }

    @Test
    void compactionAndItsErrors() throws Exception {
        long r1 = kv.put(bs("c/k"), bs("1")).get().getHeader().getRevision();
        long r2 = kv.put(bs("c/k"), bs("2")).get().getHeader().getRevision();
        kv.compact(r2, CompactOption.builder().withCompactPhysical(true).build()).get();
        assertEquals("OUT_OF_RANGE: etcdserver: mvcc: required revision has been compacted",
            error(assertThrows(ExecutionException.class, () -> kv.get(bs("c/k"), GetOption.builder().withRevision(r1).build()).get())));
        assertEquals("2", str(kv.get(bs("c/k"), GetOption.builder().withRevision(r2).build()).get().getKvs().get(0).getValue()));
        assertEquals("OUT_OF_RANGE: etcdserver: mvcc: required revision is a future revision",
            error(assertThrows(ExecutionException.class, () -> kv.get(bs("c/k"), GetOption.builder().withRevision(r2 + 1000).build()).get())));
        assertEquals("OUT_OF_RANGE: etcdserver: mvcc: required revision has been compacted",
            error(assertThrows(ExecutionException.class, () -> kv.compact(r1).get())));
    }

    @Test
    void badInputGetsEtcdsErrorsAndMemberKeepsServing() throws Exception {
        assertEquals("INVALID_ARGUMENT: etcdserver: key is not provided",
            error(assertThrows(ExecutionException.class, () -> kv.put(ByteSequence.EMPTY, bs("v")).get())));
        byte[] big = new byte[70_000];
        assertEquals("INVALID_ARGUMENT: etcdserver: request is too large",
            error(assertThrows(ExecutionException.class, () -> kv.put(bs("big"), ByteSequence.from(big)).get())));
        assertEquals("NOT_FOUND: etcdserver: requested lease not found",
            error(assertThrows(ExecutionException.class, () -> kv.put(bs("l"), bs("v"), PutOption.builder().withLeaseId(12345).build()).get())));
        kv.put(bs("still"), bs("serving")).get();
        assertEquals("serving", str(kv.get(bs("still")).get().getKvs().get(0).getValue()));
    }
}
