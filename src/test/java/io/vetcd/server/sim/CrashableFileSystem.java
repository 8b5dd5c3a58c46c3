package io.vetcd.server.sim;

import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.NonWritableChannelException;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.AccessMode;
import java.nio.file.CopyOption;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileStore;
import java.nio.file.FileSystem;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.StandardOpenOption;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.FileAttributeView;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.nio.file.spi.FileSystemProvider;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * An in-memory {@link FileSystem} with a disk's crash semantics, for the server simulation's WALs.
 * The real {@link io.vetcd.wal.Wal} runs on it unchanged (it only speaks {@code java.nio.file}).
 *
 * <p>What survives a {@link #crash}: a file's bytes as of its last {@code force} (fsync), plus, at
 * random, a prefix of what was written after it (a torn tail); a directory's entries as of the last
 * {@code force} of a channel opened on the directory (so a created, renamed or deleted file whose
 * directory was never fsynced reverts). Locks are released, as when a process dies.
 * Single-threaded, like the simulation.
 */
final class CrashableFileSystem extends FileSystem {
    private abstract static class Node { }

    private static final class Dir extends Node {
        TreeMap<String, Node> entries = new TreeMap<>();
        TreeMap<String, Node> durable = new TreeMap<>();
    }

    private static final class File extends Node {
        byte[] data = new byte[0];
        int size;
        byte[] synced = new byte[0];
        boolean locked;
    }

    private final Provider provider = new Provider();
    private final Dir root = new Dir();
    /** Bytes forced to "disk" (what an fsync costs is counted, not slept). */
    long syncedBytes;
    long syncs;

    // ---- crash ----

    /**
     * A power loss: every file and directory goes back to what was made durable; with probability
     * {@code tornTailChance} a file keeps a random prefix of its unsynced appended bytes.
     */
    void crash(SplittableRandom rng, double tornTailChance) {
        crash(root, rng, tornTailChance);
    }

    private void crash(Dir d, SplittableRandom rng, double tornTailChance) {
        d.entries = new TreeMap<>(d.durable);
        for (Node n : d.entries.values()) {
            if (n instanceof Dir sub) {
                crash(sub, rng, tornTailChance);
            } else {
                File f = (File) n;
                f.locked = false;
                int keep = f.synced.length;
                boolean appendedOnly = f.size > keep && Arrays.equals(f.data, 0, keep, f.synced, 0, keep);
                if (appendedOnly && rng.nextDouble() < tornTailChance) keep += rng.nextInt(f.size - keep + 1);
                byte[] survived = Arrays.copyOf(keep <= f.synced.length ? f.synced : f.data, keep);
                f.data = survived.clone();
                f.size = keep;
                f.synced = survived;
            }
        }
    }

    /** Makes everything durable as it is now (for directories a test creates before the run). */
    void syncAll() {
        syncAll(root);
    }

    private void syncAll(Dir d) {
        d.durable = new TreeMap<>(d.entries);
        for (Node n : d.entries.values()) {
            if (n instanceof Dir sub) syncAll(sub);
            else ((File) n).synced = Arrays.copyOf(((File) n).data, ((File) n).size);
        }
    }

    // ---- lookup ----

    private Node find(Path p) {
        Node n = root;
        for (String name : ((MemPath) p.toAbsolutePath()).names) {
            if (!(n instanceof Dir d)) return null;
            n = d.entries.get(name);
            if (n == null) return null;
        }
        return n;
    }

    private Dir parentDir(Path p) throws IOException {
        MemPath parent = (MemPath) p.toAbsolutePath().getParent();
        Node n = parent == null ? null : find(parent);
        if (!(n instanceof Dir d)) throw new NoSuchFileException(String.valueOf(parent));
        return d;
    }

    private static String name(Path p) {
        List<String> names = ((MemPath) p).names;
        return names.get(names.size() - 1);
    }

    // ---- FileSystem ----

    @Override public FileSystemProvider provider() { return provider; }
    @Override public void close() { }
    @Override public boolean isOpen() { return true; }
    @Override public boolean isReadOnly() { return false; }
    @Override public String getSeparator() { return "/"; }
    @Override public Iterable<Path> getRootDirectories() { return List.of(new MemPath(this, true, List.of())); }
    @Override public Iterable<FileStore> getFileStores() { return List.of(); }
    @Override public Set<String> supportedFileAttributeViews() { return Set.of("basic"); }

    @Override
    public Path getPath(String first, String... more) {
        String joined = more.length == 0 ? first : first + "/" + String.join("/", more);
        List<String> names = new ArrayList<>();
        for (String s : joined.split("/")) if (!s.isEmpty()) names.add(s);
        return new MemPath(this, joined.startsWith("/"), names);
    }

    @Override
    public PathMatcher getPathMatcher(String syntaxAndPattern) {
        if (!syntaxAndPattern.startsWith("glob:")) throw new UnsupportedOperationException(syntaxAndPattern);
        StringBuilder re = new StringBuilder();
        for (char c : syntaxAndPattern.substring(5).toCharArray()) {
            if (c == '*') re.append("[^/]*");
            else if (c == '?') re.append("[^/]");
            else re.append(Pattern.quote(String.valueOf(c)));
        }
        Pattern p = Pattern.compile(re.toString());
        return path -> p.matcher(path.toString()).matches();
    }

    @Override public UserPrincipalLookupService getUserPrincipalLookupService() { throw new UnsupportedOperationException(); }
    @Override public WatchService newWatchService() { throw new UnsupportedOperationException(); }

    // ---- paths ----

    private static final class MemPath implements Path {
        final CrashableFileSystem fs;
        final boolean absolute;
        final List<String> names;

        MemPath(CrashableFileSystem fs, boolean absolute, List<String> names) {
            this.fs = fs;
            this.absolute = absolute;
            this.names = List.copyOf(names);
        }

        @Override public FileSystem getFileSystem() { return fs; }
        @Override public boolean isAbsolute() { return absolute; }
        @Override public Path getRoot() { return absolute ? new MemPath(fs, true, List.of()) : null; }

        @Override
        public Path getFileName() {
            return names.isEmpty() ? null : new MemPath(fs, false, List.of(names.get(names.size() - 1)));
        }

        @Override
        public Path getParent() {
            if (names.isEmpty() || (!absolute && names.size() == 1)) return null;
            return new MemPath(fs, absolute, names.subList(0, names.size() - 1));
        }

        @Override public int getNameCount() { return names.size(); }
        @Override public Path getName(int i) { return new MemPath(fs, false, List.of(names.get(i))); }
        @Override public Path subpath(int from, int to) { return new MemPath(fs, false, names.subList(from, to)); }

        @Override
        public boolean startsWith(Path other) {
            MemPath o = (MemPath) other;
            return o.absolute == absolute && o.names.size() <= names.size() && names.subList(0, o.names.size()).equals(o.names);
        }

        @Override
        public boolean endsWith(Path other) {
            MemPath o = (MemPath) other;
            if (o.absolute) return equals(o);
            return o.names.size() <= names.size() && names.subList(names.size() - o.names.size(), names.size()).equals(o.names);
        }

        @Override public Path normalize() { return this; }

        @Override
        public Path resolve(Path other) {
            MemPath o = (MemPath) other;
            if (o.absolute) return o;
            List<String> all = new ArrayList<>(names);
            all.addAll(o.names);
            return new MemPath(fs, absolute, all);
        }

        @Override
        public Path relativize(Path other) {
            MemPath o = (MemPath) other;
            if (!o.startsWith(this)) throw new IllegalArgumentException(other + " is not under " + this);
            return new MemPath(fs, false, o.names.subList(names.size(), o.names.size()));
        }

        @Override public URI toUri() { return URI.create("mem://" + toAbsolutePath()); }
        @Override public Path toAbsolutePath() { return absolute ? this : new MemPath(fs, true, names); }
        @Override public Path toRealPath(LinkOption... options) { return toAbsolutePath(); }

        @Override
        public WatchKey register(WatchService watcher, WatchEvent.Kind<?>[] events, WatchEvent.Modifier... modifiers) {
            throw new UnsupportedOperationException();
        }

        @Override
        public int compareTo(Path other) { return toString().compareTo(other.toString()); }

        @Override
        public boolean equals(Object o) {
            return o instanceof MemPath p && p.fs == fs && p.absolute == absolute && p.names.equals(names);
        }

        @Override public int hashCode() { return names.hashCode() * 31 + (absolute ? 1 : 0); }
        @Override public String toString() { return (absolute ? "/" : "") + String.join("/", names); }
    }

    // ---- channels ----

    /** A channel on a file; on a directory, only {@code force} (an fsync of the directory's entries). */
    private final class Channel extends FileChannel {
        private final File file;
        private final Dir dir;
        private final boolean readable;
        private final boolean writable;
        private final boolean append;
        private long position;

        Channel(File file, Dir dir, boolean readable, boolean writable, boolean append) {
            this.file = file;
            this.dir = dir;
            this.readable = readable;
            this.writable = writable;
            this.append = append;
        }

        private File file() throws IOException {
            if (file == null) throw new IOException("is a directory");
            return file;
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            int n = read(dst, position);
            if (n > 0) position += n;
            return n;
        }

        @Override
        public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
            long total = 0;
            for (int i = offset; i < offset + length; i++) {
                int n = read(dsts[i]);
                if (n < 0) return total == 0 ? -1 : total;
                total += n;
            }
            return total;
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            if (append) position = file().size;
            int n = write(src, position);
            position += n;
            return n;
        }

        @Override
        public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
            long total = 0;
            for (int i = offset; i < offset + length; i++) total += write(srcs[i]);
            return total;
        }

        @Override public long position() { return position; }

        @Override
        public FileChannel position(long p) {
            position = p;
            return this;
        }

        @Override public long size() throws IOException { return file().size; }

        @Override
        public FileChannel truncate(long size) throws IOException {
            File f = file();
            if (!writable) throw new NonWritableChannelException();
            if (size < f.size) {
                Arrays.fill(f.data, (int) size, f.size, (byte) 0);
                f.size = (int) size;
            }
            if (position > size) position = size;
            return this;
        }

        @Override
        public void force(boolean metaData) {
            syncs++;
            if (file != null) {
                file.synced = Arrays.copyOf(file.data, file.size);
                syncedBytes += file.size;
            } else {
                dir.durable = new TreeMap<>(dir.entries);
            }
        }

        @Override
        public long transferTo(long position, long count, WritableByteChannel target) { throw new UnsupportedOperationException(); }

        @Override
        public long transferFrom(ReadableByteChannel src, long position, long count) { throw new UnsupportedOperationException(); }

        @Override
        public int read(ByteBuffer dst, long at) throws IOException {
            File f = file();
            if (at >= f.size) return -1;
            int n = (int) Math.min(dst.remaining(), f.size - at);
            dst.put(f.data, (int) at, n);
            return n;
        }

        @Override
        public int write(ByteBuffer src, long at) throws IOException {
            File f = file();
            if (!writable) throw new NonWritableChannelException();
            int n = src.remaining();
            long end = at + n;
            if (end > Integer.MAX_VALUE) throw new IOException("file too large for the simulated disk");
            if (end > f.data.length) f.data = Arrays.copyOf(f.data, (int) Math.max(end, f.data.length * 2L));
            src.get(f.data, (int) at, n);
            f.size = (int) Math.max(f.size, end);
            return n;
        }

        @Override
        public MappedByteBuffer map(MapMode mode, long position, long size) { throw new UnsupportedOperationException(); }

        @Override
        public FileLock lock(long position, long size, boolean shared) throws IOException {
            FileLock l = tryLock(position, size, shared);
            if (l == null) throw new IOException("locked (a simulation never waits for a lock)");
            return l;
        }

        @Override
        public FileLock tryLock(long position, long size, boolean shared) throws IOException {
            File f = file();
            if (f.locked) return null;
            f.locked = true;
            return new FileLock(this, position, size, shared) {
                private boolean valid = true;

                @Override public boolean isValid() { return valid && f.locked; }

                @Override
                public void release() {
                    if (valid && f.locked) f.locked = false;
                    valid = false;
                }
            };
        }

        @Override protected void implCloseChannel() { }
    }

    // ---- the provider ----

    private final class Provider extends FileSystemProvider {
        @Override public String getScheme() { return "mem"; }
        @Override public FileSystem newFileSystem(URI uri, Map<String, ?> env) { throw new UnsupportedOperationException(); }
        @Override public FileSystem getFileSystem(URI uri) { return CrashableFileSystem.this; }
        @Override public Path getPath(URI uri) { return CrashableFileSystem.this.getPath(uri.getPath()); }

        @Override
        public SeekableByteChannel newByteChannel(Path path, Set<? extends OpenOption> options, FileAttribute<?>... attrs)
                throws IOException {
            return newFileChannel(path, options, attrs);
        }

        @Override
        public FileChannel newFileChannel(Path path, Set<? extends OpenOption> options, FileAttribute<?>... attrs)
                throws IOException {
            Node n = find(path);
            boolean write = options.contains(StandardOpenOption.WRITE) || options.contains(StandardOpenOption.APPEND);
            if (n instanceof Dir d) {
                if (write) throw new IOException(path + " is a directory");
                return new Channel(null, d, true, false, false);
            }
            if (n != null && options.contains(StandardOpenOption.CREATE_NEW)) throw new FileAlreadyExistsException(path.toString());
            if (n == null) {
                if (!options.contains(StandardOpenOption.CREATE) && !options.contains(StandardOpenOption.CREATE_NEW)) {
                    throw new NoSuchFileException(path.toString());
                }
                n = new File();
                parentDir(path).entries.put(name(path), n);
            }
            File f = (File) n;
            if (options.contains(StandardOpenOption.TRUNCATE_EXISTING) && write) {
                f.size = 0;
                f.data = new byte[0];
            }
            boolean read = options.contains(StandardOpenOption.READ) || !write;
            return new Channel(f, null, read, write, options.contains(StandardOpenOption.APPEND));
        }

        @Override
        public DirectoryStream<Path> newDirectoryStream(Path dir, DirectoryStream.Filter<? super Path> filter) throws IOException {
            if (!(find(dir) instanceof Dir d)) throw new NoSuchFileException(dir.toString());
            List<Path> out = new ArrayList<>();
            for (String name : d.entries.keySet()) {
                Path p = dir.resolve(name);
                if (filter.accept(p)) out.add(p);
            }
            return new DirectoryStream<>() {
                @Override public Iterator<Path> iterator() { return out.iterator(); }
                @Override public void close() { }
            };
        }

        @Override
        public void createDirectory(Path dir, FileAttribute<?>... attrs) throws IOException {
            if (find(dir) != null) throw new FileAlreadyExistsException(dir.toString());
            parentDir(dir).entries.put(name(dir), new Dir());
        }

        @Override
        public void delete(Path path) throws IOException {
            Node n = find(path);
            if (n == null) throw new NoSuchFileException(path.toString());
            if (n instanceof Dir d && !d.entries.isEmpty()) throw new DirectoryNotEmptyException(path.toString());
            parentDir(path).entries.remove(name(path));
        }

        @Override
        public void copy(Path source, Path target, CopyOption... options) { throw new UnsupportedOperationException(); }

        @Override
        public void move(Path source, Path target, CopyOption... options) throws IOException {
            Node n = find(source);
            if (n == null) throw new NoSuchFileException(source.toString());
            Dir to = parentDir(target);
            parentDir(source).entries.remove(name(source));
            to.entries.put(name(target), n);
        }

        @Override public boolean isSameFile(Path a, Path b) { return find(a) == find(b); }
        @Override public boolean isHidden(Path path) { return false; }
        @Override public FileStore getFileStore(Path path) { throw new UnsupportedOperationException(); }

        @Override
        public void checkAccess(Path path, AccessMode... modes) throws IOException {
            if (find(path) == null) throw new NoSuchFileException(path.toString());
        }

        @Override
        public <V extends FileAttributeView> V getFileAttributeView(Path path, Class<V> type, LinkOption... options) {
            return null;
        }

        @Override
        @SuppressWarnings("unchecked")
        public <A extends BasicFileAttributes> A readAttributes(Path path, Class<A> type, LinkOption... options) throws IOException {
            Node n = find(path);
            if (n == null) throw new NoSuchFileException(path.toString());
            long size = n instanceof File f ? f.size : 0;
            boolean dir = n instanceof Dir;
            FileTime zero = FileTime.fromMillis(0);
            return (A) new BasicFileAttributes() {
                @Override public FileTime lastModifiedTime() { return zero; }
                @Override public FileTime lastAccessTime() { return zero; }
                @Override public FileTime creationTime() { return zero; }
                @Override public boolean isRegularFile() { return !dir; }
                @Override public boolean isDirectory() { return dir; }
                @Override public boolean isSymbolicLink() { return false; }
                @Override public boolean isOther() { return false; }
                @Override public long size() { return size; }
                @Override public Object fileKey() { return n; }
            };
        }

        @Override
        public Map<String, Object> readAttributes(Path path, String attributes, LinkOption... options) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void setAttribute(Path path, String attribute, Object value, LinkOption... options) {
            throw new UnsupportedOperationException();
        }
    }
}
