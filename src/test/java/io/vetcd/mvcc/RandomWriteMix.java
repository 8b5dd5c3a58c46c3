package io.vetcd.mvcc;

import static io.vetcd.mvcc.StoreTestSupport.b;
import static io.vetcd.mvcc.StoreTestSupport.bs;

import java.util.Random;

/**
 * One random write into an open transaction, of the shapes that move what a store derives from its
 * keys (the live-key index, kept counts): puts with and without prev_kv, single and range deletes,
 * several operations on one key in one txn, keys with a zero byte. Keys are {@code k0..k59}.
 */
final class RandomWriteMix {
    static final int SHAPES = 13;

    private RandomWriteMix() { }

    static void write(WriteTxn t, Random rnd) {
        int op = rnd.nextInt(SHAPES);
        String k = "k" + rnd.nextInt(60);
        if (op < 5) {
            t.put(b(k), b("v".repeat(1 + rnd.nextInt(50))), 0);
        } else if (op < 7) {
            t.putWithoutPrevKv(bs(k), bs("w"), 0);
        } else if (op < 9) {
            t.deleteRange(b(k), null);
        } else if (op < 10) {
            t.deleteRange(b("k2"), b("k4"));
        } else if (op < 11) {
            // put, delete, put again of one key; a put then delete of another
            t.put(b(k), b("a"), 0);
            t.deleteRange(b(k), null);
            t.put(b(k), b("b"), 0);
            t.put(b(k + "x"), b("c"), 0);
            t.deleteRange(b(k + "x"), null);
        } else if (op < 12) {
            t.put(b("k\0" + rnd.nextInt(3)), b("zero byte"), 0);
        } else {
            t.deleteRange(b(k), b(k + "5"));
        }
    }
}
