package io.vetcd.etcdformat;

import com.google.protobuf.InvalidProtocolBufferException;
import io.vetcd.pb.raft.Snapshot;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * etcd's raft snapshot files ({@code member/snap/<term>-<index>.snap}): a {@code snappb.Snapshot}
 * whose CRC-32C covers a {@code raftpb.Snapshot}. In etcd 3.4 its data is the v2 store as JSON,
 * which is where membership lives; the key space is in the bbolt file beside it.
 */
public final class EtcdSnapFiles {
    private static final Pattern NAME = Pattern.compile("([0-9a-f]{16})-([0-9a-f]{16})\\.snap");

    private EtcdSnapFiles() {}

    /**
     * The newest readable snapshot with index at or below {@code maxIndex}, or null if there is none.
     * Like etcd, an unreadable newer file is skipped in favour of an older one.
     */
    public static Snapshot newestAtOrBelow(Path snapDir, long maxIndex) throws IOException {
        if (!Files.isDirectory(snapDir)) return null;
        List<Path> files;
        try (Stream<Path> s = Files.list(snapDir)) {
            files = s.filter(p -> NAME.matcher(p.getFileName().toString()).matches())
                .sorted(Comparator.comparingLong(EtcdSnapFiles::indexOf).reversed()).toList();
        }
        for (Path f : files) {
            if (Long.compareUnsigned(indexOf(f), maxIndex) > 0) continue;
            Snapshot s = read(f);
            if (s != null) return s;
        }
        return null;
    }

    private static long indexOf(Path p) {
        Matcher m = NAME.matcher(p.getFileName().toString());
        if (!m.matches()) return -1;
        return Long.parseUnsignedLong(m.group(2), 16);
    }

    /** The snapshot in {@code file}, or null if its checksum or encoding is wrong. */
    static Snapshot read(Path file) throws IOException {
        try {
            io.vetcd.pb.etcdsnap.Snapshot outer = io.vetcd.pb.etcdsnap.Snapshot.parseFrom(Files.readAllBytes(file));
            byte[] data = outer.getData().toByteArray();
            if (data.length == 0 || Crc32c.update(0, data) != outer.getCrc()) return null;
            return Snapshot.parseFrom(data);
        } catch (InvalidProtocolBufferException e) {
            return null;
        }
    }
}
