package io.vetcd.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A directory on a tmpfs of its own, limited in size, for a member's data dir whose disk is to fill
 * up: {@link #fill} writes a filler file until the file system says "No space left on device",
 * {@link #free} deletes it (space returns). Mounting needs root; {@link #mount} says so by returning
 * null otherwise. {@link #close} unmounts (also from a shutdown hook if the test JVM is stopped) and
 * removes the mount point. tmpfs rather than a loop-mounted image: no image file on the shared disk,
 * and it fails writes with ENOSPC the same way; what it does not model is a slow or failing fsync.
 */
public final class SizeLimitedDir implements AutoCloseable {
    private static final String FILLER = "disk-filler";

    public final Path dir;
    private final long bytes;
    private final Thread unmountOnExit;
    private volatile boolean mounted = true;

    private SizeLimitedDir(Path dir, long bytes) {
        this.dir = dir;
        this.bytes = bytes;
        this.unmountOnExit = new Thread(this::unmount, "umount-" + dir.getFileName());
        Runtime.getRuntime().addShutdownHook(unmountOnExit);
    }

    /** Mounts a tmpfs of {@code megabytes} at {@code dir} (created, must be empty), or returns null if that fails. */
    public static SizeLimitedDir mount(Path dir, int megabytes) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        if (!run("mount", "-t", "tmpfs", "-o", "size=" + megabytes + "m,mode=0755", "tmpfs", dir.toString())) return null;
        return new SizeLimitedDir(dir, megabytes * 1024L * 1024L);
    }

    /** Fills the file system: bytes written before the write that failed with "No space left on device". */
    public long fill() throws IOException {
        long written = 0;
        byte[] chunk = new byte[1 << 20];
        try (OutputStream out = Files.newOutputStream(dir.resolve(FILLER))) {
            while (written <= bytes) {
                out.write(chunk);
                written += chunk.length;
            }
        } catch (IOException e) {
            if (!String.valueOf(e.getMessage()).contains("No space left")) throw e;
            return written;
        }
        throw new IllegalStateException("wrote " + written + " bytes to " + dir + " without filling it");
    }

    /** Gives the space back. */
    public void free() throws IOException {
        Files.deleteIfExists(dir.resolve(FILLER));
    }

    private synchronized void unmount() {
        if (!mounted) return;
        try {
            // lazy: a member still holding files (it should be stopped by now) cannot keep the mount alive
            if (run("umount", "-l", dir.toString())) {
                mounted = false;
                Files.deleteIfExists(dir);
            }
        } catch (IOException | InterruptedException e) {
            // best effort; close() reports
        }
    }

    @Override
    public void close() {
        unmount();
        try {
            Runtime.getRuntime().removeShutdownHook(unmountOnExit);
        } catch (IllegalStateException shuttingDown) {
            // the hook runs anyway
        }
        if (mounted) System.err.println("could not unmount " + dir);
    }

    private static boolean run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return false;
        }
        return p.exitValue() == 0;
    }
}
