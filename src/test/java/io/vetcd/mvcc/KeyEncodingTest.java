package io.vetcd.mvcc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

/** Property tests: the storage key order equals (user key unsigned ascending, revision descending). */
class KeyEncodingTest {

    private static final byte[] ALPHABET = {0x00, 0x01, 0x02, 0x7F, (byte) 0x80, (byte) 0xFE, (byte) 0xFF};

    record Entry(byte[] key, long main, long sub, byte[] enc) {
    }

    private static byte[] randomKey(Random r) {
        byte[] k = new byte[r.nextInt(6)];
        for (int i = 0; i < k.length; i++) {
            k[i] = r.nextInt(4) == 0 ? (byte) r.nextInt(256) : ALPHABET[r.nextInt(ALPHABET.length)];
        }
        return k;
    }

    private static long randomRev(Random r) {
        return switch (r.nextInt(4)) {
            case 0 -> r.nextInt(5);
            case 1 -> Long.MAX_VALUE - r.nextInt(3);
            default -> r.nextLong() & Long.MAX_VALUE;
        };
    }

    @RepeatedTest(20)
    void encodedOrderMatchesLogicalOrder() {
        Random r = new Random();
        long seed = r.nextLong();
        r.setSeed(seed);
        List<Entry> entries = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            byte[] k = randomKey(r);
            long main = randomRev(r);
            long sub = r.nextInt(3);
            boolean tomb = r.nextBoolean();
            entries.add(new Entry(k, main, sub, KeyEncoding.key(k, main, sub, tomb)));
            if (r.nextBoolean() && k.length > 0) { // force prefix relationships
                byte[] p = Arrays.copyOf(k, r.nextInt(k.length));
                entries.add(new Entry(p, main, sub, KeyEncoding.key(p, main, sub, tomb)));
            }
        }
        for (Entry a : entries) {
            for (Entry b : entries) {
                int logical = Arrays.compareUnsigned(a.key, b.key);
                if (logical == 0) {
                    logical = -Long.compare(a.main, b.main);
                }
                if (logical == 0) {
                    logical = -Long.compare(a.sub, b.sub);
                }
                if (logical == 0 && KeyEncoding.isTombstone(a.enc) != KeyEncoding.isTombstone(b.enc)) {
                    continue; // one (key, main, sub) never has two types
                }
                int encoded = Arrays.compareUnsigned(a.enc, b.enc);
                assertEquals(Integer.signum(logical), Integer.signum(encoded),
                        () -> "seed " + seed + ": " + Arrays.toString(a.key) + "@" + a.main + " vs "
                                + Arrays.toString(b.key) + "@" + b.main);
            }
        }
    }

    @RepeatedTest(20)
    void roundTripAndSeekTargets() {
        Random r = new Random();
        for (int i = 0; i < 500; i++) {
            byte[] k = randomKey(r);
            long main = randomRev(r);
            long sub = r.nextInt(1000);
            boolean tomb = r.nextBoolean();
            byte[] enc = KeyEncoding.key(k, main, sub, tomb);
            int pl = KeyEncoding.prefixLength(enc);
            assertEquals(enc.length - KeyEncoding.SUFFIX_LEN, pl);
            assertArrayEquals(k, KeyEncoding.userKey(enc, pl));
            assertEquals(main, KeyEncoding.main(enc, pl));
            assertEquals(sub, KeyEncoding.sub(enc, pl));
            assertEquals(tomb, KeyEncoding.isTombstone(enc));
            byte[] exact = KeyEncoding.versionSeek(enc, pl, main, sub);
            assertTrue(Arrays.compareUnsigned(exact, enc) < 0);
            if (sub > 0) {
                assertTrue(Arrays.compareUnsigned(KeyEncoding.key(k, main, sub - 1, false), exact) > 0);
            }
            if (main > 0) {
                assertTrue(Arrays.compareUnsigned(KeyEncoding.key(k, main - 1, sub, true), exact) > 0);
            }
            // seek target for "<= main" sorts before/at every version <= main and after every newer one
            byte[] seek = KeyEncoding.seekAtOrBefore(enc, pl, main);
            assertTrue(Arrays.compareUnsigned(seek, enc) <= 0);
            if (main < Long.MAX_VALUE) {
                assertTrue(Arrays.compareUnsigned(KeyEncoding.key(k, main + 1, 0, true), seek) < 0);
            }
            byte[] after = KeyEncoding.afterAllVersions(enc, pl);
            assertTrue(Arrays.compareUnsigned(KeyEncoding.key(k, 0, 0, true), after) < 0);
            byte[] next = Arrays.copyOf(k, k.length + 1); // smallest key greater than k
            assertTrue(Arrays.compareUnsigned(after, KeyEncoding.key(next, Long.MAX_VALUE, Long.MAX_VALUE, false)) < 0);
        }
    }

    @Test
    void revisionKeysSortNumerically() {
        assertTrue(Arrays.compareUnsigned(KeyEncoding.revKey(1, 5), KeyEncoding.revKey(2, 0)) < 0);
        assertTrue(Arrays.compareUnsigned(KeyEncoding.revKey(255, 0), KeyEncoding.revKey(256, 0)) < 0);
        assertEquals(256, KeyEncoding.revMain(KeyEncoding.revKey(256, 3)));
        assertEquals(3, KeyEncoding.revSub(KeyEncoding.revKey(256, 3)));
    }
}
