package io.vetcd.bench;

import java.io.IOException;
import java.util.List;
import java.util.stream.Collectors;

/**
 * One system under test: a single server or the members of one cluster. Clients spread their
 * connections over every member's endpoint, as `etcdctl --endpoints` of all members would.
 */
final class ServerGroup implements AutoCloseable {
    final List<ServerProc> members;

    ServerGroup(List<ServerProc> members) {
        this.members = List.copyOf(members);
    }

    /** Spawns every member, then waits until each serves; returns the milliseconds that took. */
    double start() throws IOException {
        long t0 = System.nanoTime();
        for (ServerProc m : members) m.spawn();
        for (ServerProc m : members) m.waitServed(t0);
        return (System.nanoTime() - t0) / 1e6;
    }

    List<String> endpoints() {
        return members.stream().map(ServerProc::endpoint).toList();
    }

    /** The executable of the first member (/proc/PID/exe): which runtime deploy/vetcd chose, so a report says it. */
    String executable() {
        try {
            return java.nio.file.Files.readSymbolicLink(java.nio.file.Path.of("/proc", Long.toString(members.get(0).pid()), "exe")).toString();
        } catch (java.io.IOException | RuntimeException e) {
            return "?";
        }
    }

    String pids() {
        return members.stream().map(m -> Long.toString(m.pid())).collect(Collectors.joining(","));
    }

    /** CPU seconds (user + system) all members have used so far. */
    double cpuSeconds() {
        return members.stream().mapToDouble(m -> ServerCpu.seconds(m.pid())).sum();
    }

    /** Resident memory of all members together, KiB. */
    long rssKb() {
        return members.stream().mapToLong(ServerProc::rssKb).sum();
    }

    @Override
    public void close() {
        for (ServerProc m : members) m.stop();
    }
}
