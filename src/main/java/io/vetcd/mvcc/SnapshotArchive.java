package io.vetcd.mvcc;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import java.util.zip.CheckedInputStream;
import java.util.zip.CheckedOutputStream;

/**
 * Streams a checkpoint directory (flat: RocksDB checkpoints have no subdirectories) as one byte
 * stream, for raft snapshots and {@code Maintenance.Snapshot}.
 *
 * <p>Format: {@code "VETCDSNAP1"}, then per file {@code u16 nameLength, name (UTF-8), u64 size,
 * bytes}, then {@code u16 0} as end marker, then {@code u32 CRC32C} of everything before it.
 */
public final class SnapshotArchive {

    private static final byte[] MAGIC = "VETCDSNAP1".getBytes(StandardCharsets.US_ASCII);

    private SnapshotArchive() {
    }

    /** Writes every regular file of {@code checkpointDir} to {@code out} (not closed). */
    public static void write(Path checkpointDir, OutputStream out) throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.list(checkpointDir)) {
            files = s.filter(Files::isRegularFile).sorted().collect(Collectors.toList());
        }
        CRC32C crc = new CRC32C();
        DataOutputStream data = new DataOutputStream(new CheckedOutputStream(new BufferedOutputStream(out, 1 << 16), crc));
        data.write(MAGIC);
        byte[] buf = new byte[1 << 16];
        for (Path f : files) {
            byte[] name = f.getFileName().toString().getBytes(StandardCharsets.UTF_8);
            data.writeShort(name.length);
            data.write(name);
            data.writeLong(Files.size(f));
            try (InputStream in = Files.newInputStream(f)) {
                int n;
                while ((n = in.read(buf)) > 0) {
                    data.write(buf, 0, n);
                }
            }
        }
        data.writeShort(0);
        data.flush();
        // The checksum itself goes around the CRC stream.
        DataOutputStream tail = new DataOutputStream(out);
        tail.writeInt((int) crc.getValue());
        tail.flush();
    }

    /**
     * Reads an archive into {@code dir} (created; must be empty or absent). On a bad checksum or a
     * truncated stream the partial directory is deleted and an IOException is thrown.
     */
    public static void read(InputStream in, Path dir) throws IOException {
        Files.createDirectories(dir);
        try {
            CRC32C crc = new CRC32C();
            BufferedInputStream buffered = new BufferedInputStream(in, 1 << 16);
            DataInputStream data = new DataInputStream(new CheckedInputStream(buffered, crc));
            byte[] magic = new byte[MAGIC.length];
            data.readFully(magic);
            if (!java.util.Arrays.equals(magic, MAGIC)) {
                throw new IOException("not a vetcd snapshot archive");
            }
            byte[] buf = new byte[1 << 16];
            while (true) {
                int nameLen = data.readUnsignedShort();
                if (nameLen == 0) {
                    break;
                }
                byte[] name = new byte[nameLen];
                data.readFully(name);
                String fileName = new String(name, StandardCharsets.UTF_8);
                if (fileName.contains("/") || fileName.contains("\\") || fileName.startsWith(".")) {
                    throw new IOException("bad file name in snapshot archive: " + fileName);
                }
                long size = data.readLong();
                try (OutputStream out = Files.newOutputStream(dir.resolve(fileName))) {
                    while (size > 0) {
                        int n = data.read(buf, 0, (int) Math.min(buf.length, size));
                        if (n < 0) {
                            throw new EOFException("truncated snapshot archive");
                        }
                        out.write(buf, 0, n);
                        size -= n;
                    }
                }
            }
            int expected = (int) crc.getValue();
            int actual = new DataInputStream(buffered).readInt();
            if (expected != actual) {
                throw new IOException("snapshot archive checksum mismatch");
            }
        } catch (IOException | RuntimeException e) {
            MvccStore.deleteRecursively(dir);
            throw e;
        }
    }
}
