package io.vetcd.mvcc;

import org.rocksdb.RocksDB;
import org.rocksdb.util.Environment;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.JarURLConnection;
import java.net.URL;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.zip.CRC32;

/**
 * rocksdbjni's native library, inflated from the jar once and loaded from a cache on every later
 * start. rocksdbjni itself inflates its 15 MB library into the temp dir on every start (tenths of a
 * second of CPU on the path to the first answer).
 *
 * <p>The cache is {@code -Dvetcd.rocksdb.library-cache=DIR} ({@code off}: no cache), else
 * {@code $XDG_CACHE_HOME/vetcd}, else {@code ~/.cache/vetcd}; each library sits in a directory
 * named after the CRC-32 and size the jar records for it, so another rocksdbjni version gets its
 * own and nothing is inflated to find out. A copy is used only when it is a regular file of this
 * user that nobody else can write, and its CRC-32 still matches (a torn or damaged copy is
 * replaced, never loaded). A new copy is written under a temporary name, synced and renamed into
 * place, so concurrent starts never see half a library. The three most recently written versions
 * are kept.
 */
final class RocksLibraryCache {
    static final String PROPERTY = "vetcd.rocksdb.library-cache";
    private static final int KEEP = 3;
    private static final Set<PosixFilePermission> OTHERS_WRITE =
        Set.of(PosixFilePermission.GROUP_WRITE, PosixFilePermission.OTHERS_WRITE);

    private RocksLibraryCache() {}

    /**
     * Loads RocksDB's library through the cache. False (nothing loaded) when there is no cache to
     * use here: no writable cache directory, a library that is not in a jar, a file system that
     * refuses to map it; the caller then loads it rocksdbjni's own way.
     */
    static boolean load() {
        Path root = root(System.getProperty(PROPERTY), System.getenv(), System.getProperty("user.home"));
        if (root == null) return false;
        try {
            URL url = RocksDB.class.getClassLoader().getResource(Environment.getJniLibraryFileName("rocksdb"));
            if (url == null || !"jar".equals(url.getProtocol())) return false;
            JarURLConnection jar = (JarURLConnection) url.openConnection();
            JarEntry entry = jar.getJarEntry();
            long crc = entry.getCrc();
            long size = entry.getSize();
            if (crc < 0 || size < 0) return false;
            Path dir = root.resolve(String.format("rocksdbjni-%08x-%d", crc, size));
            // the file name RocksDB.loadLibrary(paths) asks each path for
            Path lib = dir.resolve(Environment.getJniLibraryFileName("rocksdbjni"));
            if (!intact(lib, crc, size)) {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
                if (!privateToUs(dir)) return false; // someone else could swap the library before it is loaded
                try (InputStream in = jar.getInputStream()) {
                    extract(in, dir, lib, crc, size);
                }
                prune(root, dir);
            }
            RocksDB.loadLibrary(List.of(dir.toString()));
            return true;
        } catch (IOException | RuntimeException | UnsatisfiedLinkError e) {
            // e.g. a read-only or noexec home: rocksdbjni's temp-dir copy still works
            System.getLogger(RocksLibraryCache.class.getName()).log(System.Logger.Level.DEBUG,
                "RocksDB library cache in " + root + " not used: " + e);
            return false;
        }
    }

    /** The cache directory from the property, the environment and the home directory; null for none. */
    static Path root(String property, Map<String, String> env, String home) {
        if (property != null) {
            if (property.isEmpty() || property.equals("off")) return null;
            return Path.of(property).toAbsolutePath();
        }
        String xdg = env.get("XDG_CACHE_HOME");
        if (xdg != null && xdg.startsWith("/")) return Path.of(xdg, "vetcd");
        if (home != null && home.startsWith("/")) return Path.of(home, ".cache", "vetcd");
        return null;
    }

    /** The cached copy is there, ours, not writable by others, and has the jar's size and CRC-32. */
    static boolean intact(Path lib, long crc, long size) throws IOException {
        if (!Files.isRegularFile(lib, LinkOption.NOFOLLOW_LINKS)) return false;
        if (!privateToUs(lib) || !privateToUs(lib.getParent())) return false;
        try (FileChannel ch = FileChannel.open(lib, StandardOpenOption.READ)) {
            if (ch.size() != size) return false;
            CRC32 sum = new CRC32();
            // mapped, not read: the pages are the ones the loader maps next (~10 ms for 15 MB)
            MappedByteBuffer pages = ch.map(FileChannel.MapMode.READ_ONLY, 0, size);
            sum.update(pages);
            return sum.getValue() == crc;
        }
    }

    private static boolean privateToUs(Path p) throws IOException {
        PosixFileAttributes a = Files.readAttributes(p, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        return a.owner().equals(us()) && a.permissions().stream().noneMatch(OTHERS_WRITE::contains);
    }

    /** This process's user: Linux makes /proc/self belong to it (user.name is "?" for a uid without a name). */
    private static java.nio.file.attribute.UserPrincipal us() throws IOException {
        Path self = Path.of("/proc/self");
        if (Files.exists(self)) return Files.getOwner(self);
        return java.nio.file.FileSystems.getDefault().getUserPrincipalLookupService()
            .lookupPrincipalByName(System.getProperty("user.name"));
    }

    static void extract(InputStream in, Path dir, Path lib, long crc, long size) throws IOException {
        Path tmp = Files.createTempFile(dir, ".extracting-", ".tmp"); // rw------- and a unique name
        try {
            CRC32 sum = new CRC32();
            long written = 0;
            try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.WRITE);
                 OutputStream os = java.nio.channels.Channels.newOutputStream(out)) {
                byte[] buf = new byte[1 << 16];
                for (int n; (n = in.read(buf)) > 0; ) {
                    sum.update(buf, 0, n);
                    os.write(buf, 0, n);
                    written += n;
                }
                out.force(true); // the rename below must never publish a name before its bytes
            }
            if (written != size || sum.getValue() != crc) {
                throw new IOException("inflated " + written + " bytes with CRC-32 " + Long.toHexString(sum.getValue())
                    + ", the jar says " + size + " and " + Long.toHexString(crc));
            }
            Files.move(tmp, lib, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Keeps the {@value #KEEP} most recently written library versions (a running member keeps its mapped copy). */
    private static void prune(Path root, Path current) {
        List<Path> versions = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(root, "rocksdbjni-*")) {
            for (Path p : ds) if (!p.equals(current) && Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) versions.add(p);
        } catch (IOException e) {
            return;
        }
        versions.sort(Comparator.comparing(RocksLibraryCache::modified).reversed());
        for (Path old : versions.subList(Math.min(versions.size(), KEEP - 1), versions.size())) {
            try (DirectoryStream<Path> files = Files.newDirectoryStream(old)) {
                for (Path f : files) Files.deleteIfExists(f);
                Files.deleteIfExists(old);
            } catch (IOException e) {
                // another start may be using or replacing it; the next prune tries again
            }
        }
    }

    private static FileTime modified(Path p) {
        try {
            return Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            return FileTime.fromMillis(0);
        }
    }
}
