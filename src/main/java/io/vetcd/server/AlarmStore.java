package io.vetcd.server;

import com.google.protobuf.InvalidProtocolBufferException;
import io.vetcd.mvcc.MetaReader;
import io.vetcd.mvcc.WriteTxn;
import io.vetcd.pb.etcdserver.AlarmMember;
import io.vetcd.pb.etcdserver.AlarmType;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The cluster's raised alarms (etcd's v3alarm store): which member raised which alarm. Changed only
 * by applying committed AlarmRequests, so every member agrees; persisted with the entry that
 * changed it (meta key {@code alarm/} + the AlarmMember bytes, as etcd keys its alarm bucket).
 * Read from any thread.
 */
public final class AlarmStore {
    private static final byte[] PREFIX = "alarm/".getBytes(StandardCharsets.UTF_8);

    private final List<AlarmMember> alarms = new CopyOnWriteArrayList<>();

    /** Replaces what is known with what {@code store} holds (start-up, snapshot install). */
    public synchronized void load(MetaReader store) {
        List<AlarmMember> loaded = new ArrayList<>();
        for (Map.Entry<byte[], byte[]> e : store.scanMeta(PREFIX)) {
            byte[] k = e.getKey();
            try {
                loaded.add(AlarmMember.parseFrom(java.util.Arrays.copyOfRange(k, PREFIX.length, k.length)));
            } catch (InvalidProtocolBufferException ex) {
                throw new IllegalStateException("undecodable alarm in the backend", ex);
            }
        }
        alarms.clear();
        alarms.addAll(loaded);
    }

    /** Raises an alarm in {@code txn}; returns it, or the one already raised by that member. */
    public synchronized AlarmMember activate(WriteTxn txn, long memberId, AlarmType type) {
        for (AlarmMember a : alarms) if (a.getMemberID() == memberId && a.getAlarm() == type) return a;
        AlarmMember m = AlarmMember.newBuilder().setMemberID(memberId).setAlarm(type).build();
        txn.putMeta(key(m), new byte[0]);
        alarms.add(m);
        return m;
    }

    /** Clears an alarm in {@code txn}; returns it, or null when that member had not raised it. */
    public synchronized AlarmMember deactivate(WriteTxn txn, long memberId, AlarmType type) {
        for (AlarmMember a : alarms) {
            if (a.getMemberID() == memberId && a.getAlarm() == type) {
                txn.deleteMeta(key(a));
                alarms.remove(a);
                return a;
            }
        }
        return null;
    }

    /** The alarms of one type, or all of them for {@link AlarmType#NONE} (etcd's Get). */
    public List<AlarmMember> get(AlarmType type) {
        if (type == AlarmType.NONE) return List.copyOf(alarms);
        return alarms.stream().filter(a -> a.getAlarm() == type).toList();
    }

    public boolean isRaised(AlarmType type) {
        for (AlarmMember a : alarms) if (a.getAlarm() == type) return true;
        return false;
    }

    /** etcd prints an AlarmMember in protobuf text form: {@code memberID:123 alarm:NOSPACE }. */
    public static String describe(AlarmMember a) {
        return "memberID:" + Long.toUnsignedString(a.getMemberID()) + " alarm:" + a.getAlarm().name() + " ";
    }

    private static byte[] key(AlarmMember m) {
        byte[] body = m.toByteArray();
        byte[] k = new byte[PREFIX.length + body.length];
        System.arraycopy(PREFIX, 0, k, 0, PREFIX.length);
        System.arraycopy(body, 0, k, PREFIX.length, body.length);
        return k;
    }
}
