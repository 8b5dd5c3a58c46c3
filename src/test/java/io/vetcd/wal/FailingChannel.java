package io.vetcd.wal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real file channel whose next write or force can be made to fail once, as Linux reports a failed
 * write-back: the fsync that notices it fails, and a retried fsync then succeeds although the data
 * never reached the disk ("fsyncgate"). A WAL that retries would believe its data durable.
 */
final class FailingChannel extends FileChannel {
    /** What to break, shared by every channel a test opens. */
    static final class Plan {
        volatile boolean failNextForce;
        volatile boolean failNextWrite;
        final AtomicInteger forces = new AtomicInteger();
        final AtomicInteger forcesAfterFailure = new AtomicInteger();
        volatile boolean failed;

        SegmentChannels channels() {
            return (file, options) -> new FailingChannel(FileChannel.open(file, options), this);
        }
    }

    private final FileChannel real;
    private final Plan plan;

    private FailingChannel(FileChannel real, Plan plan) {
        this.real = real;
        this.plan = plan;
    }

    private void maybeFailWrite() throws IOException {
        if (plan.failNextWrite) {
            plan.failNextWrite = false;
            plan.failed = true;
            throw new IOException("No space left on device (injected)");
        }
    }

    @Override
    public void force(boolean metaData) throws IOException {
        plan.forces.incrementAndGet();
        if (plan.failed) plan.forcesAfterFailure.incrementAndGet();
        if (plan.failNextForce) {
            plan.failNextForce = false;
            plan.failed = true;
            throw new IOException("Input/output error (injected fsync failure)");
        }
        real.force(metaData);
    }

    @Override
    public int write(ByteBuffer src, long position) throws IOException {
        maybeFailWrite();
        return real.write(src, position);
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        maybeFailWrite();
        return real.write(src);
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        maybeFailWrite();
        return real.write(srcs, offset, length);
    }

    @Override public int read(ByteBuffer dst) throws IOException { return real.read(dst); }
    @Override public long read(ByteBuffer[] dsts, int offset, int length) throws IOException { return real.read(dsts, offset, length); }
    @Override public int read(ByteBuffer dst, long position) throws IOException { return real.read(dst, position); }
    @Override public long position() throws IOException { return real.position(); }
    @Override public FileChannel position(long newPosition) throws IOException { real.position(newPosition); return this; }
    @Override public long size() throws IOException { return real.size(); }
    @Override public FileChannel truncate(long size) throws IOException { real.truncate(size); return this; }
    @Override public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
        return real.transferTo(position, count, target);
    }
    @Override public long transferFrom(ReadableByteChannel src, long position, long count) throws IOException {
        return real.transferFrom(src, position, count);
    }
    @Override public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
        return real.map(mode, position, size);
    }
    @Override public FileLock lock(long position, long size, boolean shared) throws IOException {
        return real.lock(position, size, shared);
    }
    @Override public FileLock tryLock(long position, long size, boolean shared) throws IOException {
        return real.tryLock(position, size, shared);
    }
    @Override protected void implCloseChannel() throws IOException { real.close(); }
}
