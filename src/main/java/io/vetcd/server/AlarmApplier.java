package io.vetcd.server;

import io.vetcd.mvcc.MvccStore;
import io.vetcd.pb.etcdserver.AlarmRequest;
import io.vetcd.pb.etcdserver.AlarmResponse;
import io.vetcd.pb.etcdserver.ResponseHeader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies committed alarm entries (apply thread): raising or disarming an alarm of a member is
 * stored with the entry's index, and logged when the cluster's alarm of that type comes or goes,
 * as etcd logs it.
 */
final class AlarmApplier {
    /** The server's logger, as before this was split out: operators' log filters keep working. */
    private static final Logger log = LoggerFactory.getLogger(EtcdServer.class);

    private final MvccStore store;
    private final AlarmStore alarms;

    AlarmApplier(MvccStore store, AlarmStore alarms) {
        this.store = store;
        this.alarms = alarms;
    }

    AlarmResponse apply(AlarmRequest r, long index) {
        AlarmResponse.Builder resp = AlarmResponse.newBuilder();
        var txn = store.beginWrite();
        switch (r.getAction()) {
            case GET -> resp.addAllAlarms(alarms.get(r.getAlarm()));
            case ACTIVATE -> {
                boolean was = alarms.isRaised(r.getAlarm());
                var m = alarms.activate(txn, r.getMemberID(), r.getAlarm());
                resp.addAlarms(m);
                if (!was) log.warn("alarm raised: {} from {}", r.getAlarm(), ClusterIds.hex(r.getMemberID()));
            }
            case DEACTIVATE -> {
                var m = alarms.deactivate(txn, r.getMemberID(), r.getAlarm());
                if (m != null) {
                    resp.addAlarms(m);
                    if (!alarms.isRaised(r.getAlarm())) log.warn("alarm disarmed: {} from {}", r.getAlarm(), ClusterIds.hex(r.getMemberID()));
                }
            }
            default -> { }
        }
        txn.commit(index);
        return resp.setHeader(ResponseHeader.newBuilder().setRevision(store.currentRevision())).build();
    }
}
