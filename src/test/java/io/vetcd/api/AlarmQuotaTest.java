package io.vetcd.api;

import io.vetcd.testing.TempDirs;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.Maintenance;
import io.etcd.jetcd.maintenance.AlarmMember;
import io.etcd.jetcd.maintenance.AlarmType;
import io.etcd.jetcd.options.CompactOption;
import io.vetcd.testing.Cli;
import io.vetcd.testing.InJvmMember;
import io.vetcd.testing.Ports;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutionException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The space quota and the NOSPACE alarm, as etcd's TestCtlV3Alarm walks them: fill the backend
 * past --quota-backend-bytes, the write is refused with etcd's error and the alarm is raised (and
 * survives a restart), /health turns false, writes that add data stay refused while reads and
 * deletes work; compact + defragment + disarm, and writes go through again.
 */
class AlarmQuotaTest {
    static final String NO_SPACE = "etcdserver: mvcc: database space exceeded";

    static ByteSequence bs(String s) { return ByteSequence.from(s, StandardCharsets.UTF_8); }

    @Test
    void quotaRaisesNoSpaceUntilDisarmed() throws Exception {
        Path dir = TempDirs.create("vetcd-alarm");
        int clientPort = Ports.free();
        int peerPort = Ports.free();
        String[] flags = {"--quota-backend-bytes", Integer.toString(64 * 4096)};
        InJvmMember member = InJvmMember.start(dir, clientPort, peerPort, flags);
        long memberId;
        try (Client client = Client.builder().endpoints(member.endpoint()).build()) {
            KV kv = client.getKVClient();
            Maintenance m = client.getMaintenanceClient();
            memberId = m.statusMember(member.endpoint()).get().getHeader().getMemberId();
            kv.put(bs("small"), bs("a".repeat(64))).get();
            String big = "b".repeat(4096);
            Throwable refused = null;
            for (int i = 0; i < 2000 && refused == null; i++) {
                try {
                    kv.put(bs("big"), bs(big)).get();
                } catch (ExecutionException e) {
                    refused = e.getCause();
                }
            }
            assertTrue(refused != null && refused.getMessage().contains(NO_SPACE), String.valueOf(refused));
            List<AlarmMember> alarms = awaitAlarms(m, 1);
            assertEquals(memberId, alarms.get(0).getMemberId());
            assertEquals(AlarmType.NOSPACE, alarms.get(0).getAlarmType());
            assertEquals("{\"health\":\"false\"}", health(clientPort, ""));
            assertEquals("{\"health\":\"true\"}", health(clientPort, "?exclude=NOSPACE"));
            // etcdctl's own view: alarm list and the ERRORS column of endpoint status
            String mine = "memberID:" + Long.toUnsignedString(memberId) + " alarm:NOSPACE";
            assertTrue(Cli.etcdctl(member.endpoint(), "alarm", "list").output().contains(mine));
            assertTrue(Cli.etcdctl(member.endpoint(), "endpoint", "status").output().contains(mine));
        }

        // the alarm is part of the replicated state: it is still raised after a restart
        member.stop();
        member = InJvmMember.start(dir, clientPort, peerPort, flags);
        try (Client client = Client.builder().endpoints(member.endpoint()).build()) {
            KV kv = client.getKVClient();
            Maintenance m = client.getMaintenanceClient();
            List<AlarmMember> alarms = awaitAlarms(m, 1);
            Throwable t = assertThrows(ExecutionException.class, () -> kv.put(bs("tiny"), bs("x")).get()).getCause();
            assertTrue(t.getMessage().contains(NO_SPACE), t.getMessage());
            t = assertThrows(ExecutionException.class, () -> client.getLeaseClient().grant(60).get()).getCause();
            assertTrue(t.getMessage().contains(NO_SPACE), t.getMessage());
            assertEquals(64, kv.get(bs("small")).get().getKvs().get(0).getValue().size()); // reads work
            assertEquals(1, kv.delete(bs("small")).get().getDeleted());                     // deletes work

            long rev = kv.get(bs("big")).get().getHeader().getRevision();
            kv.compact(rev, CompactOption.newBuilder().withCompactPhysical(true).build()).get();
            m.defragmentMember(member.endpoint()).get();
            m.alarmDisarm(alarms.get(0)).get();
            assertEquals(0, m.listAlarms().get().getAlarms().size());
            kv.put(bs("after"), bs("a".repeat(64))).get();
            assertEquals("{\"health\":\"true\"}", health(clientPort, ""));
        } finally {
            member.stop();
        }
    }

    static List<AlarmMember> awaitAlarms(Maintenance m, int n) throws Exception {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (true) {
            List<AlarmMember> a = m.listAlarms().get().getAlarms();
            if (a.size() == n || System.nanoTime() > deadline) {
                assertEquals(n, a.size(), "alarms " + a);
                return a;
            }
            Thread.sleep(50);
        }
    }

    static String health(int port, String query) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health" + query)).build(),
            HttpResponse.BodyHandlers.ofString());
        return r.body().trim();
    }
}
