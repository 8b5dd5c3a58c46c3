package io.vetcd.server.concurrency;

import com.google.protobuf.ByteString;
import io.vetcd.pb.etcdserver.RangeRequest;

import java.nio.charset.StandardCharsets;

/** How clientv3's concurrency recipes name and find the keys of a lock or an election. */
final class ContenderKeys {
    private ContenderKeys() {}

    /** {@code name + "/"}: every contender's key lives under it. */
    static ByteString prefix(ByteString name) {
        return name.concat(ByteString.copyFromUtf8("/"));
    }

    /** {@code prefix + fmt.Sprintf("%x", leaseID)}: Go prints a negative int64 as "-" and its magnitude. */
    static ByteString key(ByteString prefix, long lease) {
        String hex = lease < 0 ? "-" + Long.toHexString(-lease) : Long.toHexString(lease);
        return prefix.concat(ByteString.copyFrom(hex, StandardCharsets.US_ASCII));
    }

    /** clientv3.GetPrefixRangeEnd: the prefix with its last byte below 0xff incremented, else "\0" (all keys). */
    static ByteString prefixEnd(ByteString prefix) {
        byte[] b = prefix.toByteArray();
        for (int i = b.length - 1; i >= 0; i--) {
            if ((b[i] & 0xff) < 0xff) {
                b[i]++;
                return ByteString.copyFrom(b, 0, i + 1);
            }
        }
        return ByteString.copyFrom(new byte[]{0});
    }

    /** clientv3.WithFirstCreate: the oldest contender under the prefix (the owner / leader). */
    static RangeRequest firstCreated(ByteString prefix) {
        return RangeRequest.newBuilder().setKey(prefix).setRangeEnd(prefixEnd(prefix)).setLimit(1)
            .setSortTarget(RangeRequest.SortTarget.CREATE).setSortOrder(RangeRequest.SortOrder.ASCEND).build();
    }

    /** clientv3.WithLastCreate + WithMaxCreateRev: the youngest contender created at or before {@code maxRev}. */
    static RangeRequest lastCreatedUpTo(ByteString prefix, long maxRev) {
        return RangeRequest.newBuilder().setKey(prefix).setRangeEnd(prefixEnd(prefix)).setLimit(1)
            .setSortTarget(RangeRequest.SortTarget.CREATE).setSortOrder(RangeRequest.SortOrder.DESCEND)
            .setMaxCreateRevision(maxRev).build();
    }
}
