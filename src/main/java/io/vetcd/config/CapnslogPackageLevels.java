package io.vetcd.config;

import ch.qos.logback.classic.Level;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * etcd 3.4's {@code --log-package-levels} (capnslog only): "package=LEVEL,..." with etcd's package names
 * ({@code etcdserver}, {@code rafthttp}, {@code wal}, ... or {@code *} for all), each mapped to the vetcd
 * loggers that do that package's work. capnslog's levels map to logback's: CRITICAL and ERROR to error
 * (vetcd has no level above error, and a critical condition must still be seen), WARNING to warn,
 * NOTICE and INFO to info, DEBUG to debug, TRACE to trace.
 */
final class CapnslogPackageLevels {
    /** etcd's capnslog packages and the logger names (with everything below them) that stand for each here. */
    static final Map<String, List<String>> LOGGERS = Map.ofEntries(
        Map.entry("etcdmain", List.of("etcdmain", "io.vetcd.node", "io.vetcd.config")),
        Map.entry("embed", List.of("embed")),
        Map.entry("etcdserver", List.of("etcdserver", "io.vetcd.server")),
        Map.entry("etcdserver/api/v3rpc", List.of("io.vetcd.api")),
        Map.entry("etcdserver/api/etcdhttp", List.of("io.vetcd.gateway")),
        Map.entry("etcdserver/membership", List.of("io.vetcd.server.Membership", "io.vetcd.server.MemberChanges")),
        Map.entry("raft", List.of("io.vetcd.raft")),
        Map.entry("rafthttp", List.of("io.vetcd.transport")),
        Map.entry("wal", List.of("io.vetcd.wal")),
        Map.entry("snap", List.of("io.vetcd.etcdformat")),
        Map.entry("mvcc", List.of("io.vetcd.mvcc", "io.vetcd.lease")),
        Map.entry("mvcc/backend", List.of("io.vetcd.mvcc")),
        Map.entry("auth", List.of("io.vetcd.auth")),
        Map.entry("compactor", List.of("io.vetcd.server.AutoCompactor")),
        Map.entry("alarm", List.of("io.vetcd.server.AlarmStore")),
        Map.entry("discovery", List.of("io.vetcd.discovery")),
        Map.entry("grpcproxy", List.of("grpcproxy", "io.vetcd.proxy")),
        Map.entry("proxy/tcpproxy", List.of("tcpproxy")));

    private CapnslogPackageLevels() {}

    /**
     * The logger names and levels a setting asks for ({@code *} for every mapped logger, then the packages
     * as given, a later one winning); packages etcd has but vetcd does not map are ignored,
     * as capnslog ignores unknown packages.
     *
     * @throws IllegalArgumentException with capnslog's words, for a setting it could not parse
     */
    static Map<String, Level> parse(String setting) {
        Map<String, Level> byPackage = new LinkedHashMap<>();
        for (String item : setting.split(",", -1)) {
            String[] kv = item.split("=", -1);
            if (kv.length != 2) throw new IllegalArgumentException("oddly structured `pkg=level` option: " + item);
            byPackage.put(kv[0], level(kv[1]));
        }
        Map<String, Level> out = new LinkedHashMap<>();
        Level all = byPackage.remove("*");
        if (all != null) for (List<String> names : LOGGERS.values()) for (String n : names) out.put(n, all);
        byPackage.forEach((pkg, level) -> {
            for (String n : LOGGERS.getOrDefault(pkg, List.of())) out.put(n, level); // over "*", and over an earlier package
        });
        return out;
    }

    private static Level level(String s) {
        return switch (s) {
            case "CRITICAL", "C", "ERROR", "0", "E" -> Level.ERROR;
            case "WARNING", "1", "W" -> Level.WARN;
            case "NOTICE", "2", "N", "INFO", "3", "I" -> Level.INFO;
            case "DEBUG", "4", "D" -> Level.DEBUG;
            case "TRACE", "5", "T" -> Level.TRACE;
            default -> throw new IllegalArgumentException("couldn't parse log level " + s);
        };
    }
}
