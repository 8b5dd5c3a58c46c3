package io.vetcd.server.concurrency;

import com.google.protobuf.ByteString;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ContenderKeysTest {
    static ByteString s(String v) { return ByteString.copyFromUtf8(v); }

    @Test
    void keysAreNameSlashGoHexOfTheLease() {
        ByteString p = ContenderKeys.prefix(s("lk"));
        assertEquals(s("lk/"), p);
        assertEquals(s("lk/694d7a1b2c3d4e5f"), ContenderKeys.key(p, 0x694d7a1b2c3d4e5fL));
        assertEquals(s("lk/0"), ContenderKeys.key(p, 0));
        // fmt's %x of a negative int64: sign and magnitude, not two's complement
        assertEquals(s("lk/-1"), ContenderKeys.key(p, -1));
        assertEquals(s("lk/-8000000000000000"), ContenderKeys.key(p, Long.MIN_VALUE));
    }

    @Test
    void prefixEndIsClientv3s() {
        assertEquals(s("lk0"), ContenderKeys.prefixEnd(s("lk/")));
        assertEquals(ByteString.copyFrom(new byte[]{'a', 2}), ContenderKeys.prefixEnd(ByteString.copyFrom(new byte[]{'a', 1, (byte) 0xff})));
        assertEquals(ByteString.copyFrom(new byte[]{0}), ContenderKeys.prefixEnd(ByteString.copyFrom(new byte[]{(byte) 0xff})));
    }

    @Test
    void cancellationRunsHooksOnceAndLateHooksAtOnce() {
        Cancellation c = new Cancellation();
        AtomicInteger runs = new AtomicInteger();
        Runnable unhook = c.onCancel(runs::incrementAndGet);
        c.onCancel(runs::incrementAndGet).run(); // unregistered before the cancel: never runs
        c.cancel();
        c.cancel();
        unhook.run();
        assertEquals(1, runs.get());
        c.onCancel(runs::incrementAndGet);
        assertEquals(2, runs.get());
        assertTrue(c.isCancelled());
    }
}
