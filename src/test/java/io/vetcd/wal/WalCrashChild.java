package io.vetcd.wal;

import io.vetcd.raft.HardState;

import java.nio.file.Path;

/**
 * Child process for {@link WalKillTest}: appends batches forever, printing each index once its
 * sync has returned, until it is killed with SIGKILL.
 */
public final class WalCrashChild {
    public static void main(String[] args) {
        Path dir = Path.of(args[0]);
        WalOptions opts = WalOptions.DEFAULT.withSegmentSize(Long.parseLong(args[1]));
        try (Wal wal = Wal.open(dir, opts)) {
            long next = wal.lastIndex() + 1;
            for (int b = 0; ; b++) {
                int n = 1 + b % 9;
                wal.saveAndSync(new HardState(1, 1, next + n - 1), WalTestSupport.entries(1, next, next + n - 1, 200));
                next += n;
                System.out.println("synced " + (next - 1));
                System.out.flush();
            }
        }
    }
}
