package io.vetcd.wal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;

/**
 * How the writer opens segment files. Production opens real files; tests pass channels whose
 * write or force fails, to show the WAL treats such a failure as fatal (there is no cheap way to
 * make a real fsync fail on demand).
 */
@FunctionalInterface
interface SegmentChannels {
    FileChannel open(Path file, OpenOption... options) throws IOException;

    SegmentChannels REAL = FileChannel::open;
}
