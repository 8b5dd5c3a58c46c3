package io.vetcd.server;

import io.vetcd.lease.Lease;
import io.vetcd.lease.LeaseException;
import io.vetcd.lease.Lessor;
import io.vetcd.mvcc.MvccStore;
import io.vetcd.pb.etcdserver.LeaseCheckpointRequest;
import io.vetcd.pb.etcdserver.LeaseCheckpointResponse;
import io.vetcd.pb.etcdserver.LeaseGrantRequest;
import io.vetcd.pb.etcdserver.LeaseGrantResponse;
import io.vetcd.pb.etcdserver.LeaseRevokeRequest;
import io.vetcd.pb.etcdserver.LeaseRevokeResponse;
import io.vetcd.pb.etcdserver.ResponseHeader;

/**
 * Applies committed lease entries (apply thread). A refused grant or revoke still commits the
 * entry's index to the backend, so the member's applied index moves past it, then fails with
 * etcd's error.
 */
final class LeaseApplier {
    private final Lessor lessor;
    private final MvccStore store;

    LeaseApplier(Lessor lessor, MvccStore store) {
        this.lessor = lessor;
        this.store = store;
    }

    LeaseGrantResponse grant(LeaseGrantRequest r, long index) {
        try {
            Lease l = lessor.grant(r.getID(), r.getTTL(), index);
            return LeaseGrantResponse.newBuilder().setHeader(ResponseHeader.newBuilder().setRevision(store.currentRevision()))
                .setID(l.id()).setTTL(l.ttlSeconds()).build();
        } catch (LeaseException e) {
            store.beginWrite().commit(index);
            throw LeaseRequests.error(e);
        }
    }

    LeaseCheckpointResponse checkpoint(LeaseCheckpointRequest r, long index) {
        lessor.checkpoint(r.getCheckpointsList(), index);
        return LeaseCheckpointResponse.newBuilder()
            .setHeader(ResponseHeader.newBuilder().setRevision(store.currentRevision())).build();
    }

    LeaseRevokeResponse revoke(LeaseRevokeRequest r, long index) {
        try {
            long rev = lessor.revoke(r.getID(), index);
            return LeaseRevokeResponse.newBuilder().setHeader(ResponseHeader.newBuilder().setRevision(rev)).build();
        } catch (LeaseException e) {
            store.beginWrite().commit(index);
            throw LeaseRequests.error(e);
        }
    }
}
