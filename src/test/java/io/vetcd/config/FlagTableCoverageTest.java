package io.vetcd.config;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * Every flag of the flag table does something, or says it does not: it is read by the server
 * (one of its config accessors is called outside the config section classes, or the config
 * machinery consumes it), or it is listed in {@link FeatureSupport#NOT_BUILT} with a reason.
 * Reads the sources, so a new flag, or a flag whose last use is deleted, fails this test.
 */
class FlagTableCoverageTest {
    private static final Path MAIN = Path.of("src/main/java");
    /** The config section classes: their accessors are where flags are read from. */
    private static final Set<String> SECTIONS = Set.of("MemberConfig.java", "ClusterConfig.java", "SecurityConfig.java",
        "LoggingConfig.java", "ProxyConfig.java", "VertxConfig.java");
    /** Files that name flags without using them: the table, validation, help text, file-format mapping. */
    private static final Set<String> NOT_USES = Set.of("FlagTable.java", "ConfigValidator.java", "FeatureSupport.java",
        "Usage.java", "EtcdYamlProcessor.java", "EtcdConfFileProcessor.java", "CommandLineParser.java", "Section.java");
    private static final Map<String, String> FIELD_BACKED = Map.of("log-level", "effectiveLogLevel", "logger", "logger",
        "log-outputs", "logOutputs", "debug", "effectiveLogLevel", "log-package-levels", "logPackageLevels");
    private static final Pattern METHOD = Pattern.compile("public\\s+[\\w<>\\[\\], .?]+?\\s+(\\w+)\\s*\\([^)]*\\)\\s*\\{");
    private static final Pattern LITERAL = Pattern.compile("\"([a-z0-9-]+)\"");

    @Test
    void everyFlagIsReadOrListedAsNotBuilt() throws IOException {
        Map<String, String> sources = new HashMap<>();
        try (Stream<Path> files = Files.walk(MAIN)) {
            for (Path p : files.filter(f -> f.toString().endsWith(".java")).toList()) sources.put(MAIN.relativize(p).toString(), Files.readString(p));
        }
        // accessor -> flags it reads (directly or through another accessor of its class)
        Map<String, Set<String>> flagsOf = new HashMap<>();
        Map<String, String> bodies = new HashMap<>();
        for (var e : sources.entrySet()) {
            if (!SECTIONS.contains(Path.of(e.getKey()).getFileName().toString())) continue;
            Matcher m = METHOD.matcher(e.getValue());
            while (m.find()) bodies.put(m.group(1), body(e.getValue(), m.end()));
        }
        for (var e : bodies.entrySet()) flagsOf.put(e.getKey(), literals(e.getValue()));
        for (int round = 0; round < 3; round++) {
            for (var e : bodies.entrySet()) {
                for (String other : bodies.keySet()) {
                    if (!other.equals(e.getKey()) && e.getValue().contains(other + "(")) flagsOf.get(e.getKey()).addAll(flagsOf.get(other));
                }
            }
        }
        Set<String> read = new HashSet<>();
        for (var e : sources.entrySet()) {
            String file = Path.of(e.getKey()).getFileName().toString();
            if (SECTIONS.contains(file) || NOT_USES.contains(file)) continue;
            for (var a : flagsOf.entrySet()) if (e.getValue().contains("." + a.getKey() + "(")) read.addAll(a.getValue());
            if (e.getKey().startsWith("io/vetcd/config/")) read.addAll(literals(e.getValue())); // the config machinery itself
        }
        // LoggingConfig keeps its values in fields: its accessors return those
        for (var e : FIELD_BACKED.entrySet()) {
            for (String src : sources.values()) if (src.contains("." + e.getValue() + "(")) read.add(e.getKey());
        }
        Set<String> silent = new TreeSet<>();
        for (FlagSpec spec : FlagTable.all()) {
            String name = spec.name();
            if (spec.type() == FlagType.IGNORED) continue; // etcd's own legacy flags, accepted and ignored by etcd too
            if (!read.contains(name) && !FeatureSupport.NOT_BUILT.containsKey(name)) silent.add(name);
        }
        assertEquals(Set.of(), silent, "flags neither read by the server nor in FeatureSupport.NOT_BUILT");
    }

    @Test
    void readmeListsEveryFlagWithItsStatus() throws IOException {
        String readme = Files.readString(Path.of("README.md"));
        Set<String> wrong = new TreeSet<>();
        for (FlagSpec spec : FlagTable.all()) {
            if (spec.type() == FlagType.IGNORED) continue;
            String status = FeatureSupport.NOT_BUILT.containsKey(spec.name()) ? "not built: " : "works";
            if (!readme.contains("| `--" + spec.name() + "` | " + status)) wrong.add(spec.name());
        }
        assertEquals(Set.of(), wrong, "README.md rows missing or with the wrong status");
    }

    @Test
    void notBuiltFlagsExistAndSayWhy() {
        for (var e : FeatureSupport.NOT_BUILT.entrySet()) {
            assertNotNull(FlagTable.byName(e.getKey()), e.getKey());
            assertFalse(e.getValue().isBlank(), e.getKey());
        }
    }

    private static String body(String src, int from) {
        int depth = 1;
        int i = from;
        while (i < src.length() && depth > 0) {
            char c = src.charAt(i++);
            if (c == '{') depth++;
            else if (c == '}') depth--;
        }
        return src.substring(from, i);
    }

    private static Set<String> literals(String s) {
        Set<String> out = new HashSet<>();
        Matcher m = LITERAL.matcher(s);
        while (m.find()) out.add(m.group(1));
        return out;
    }

}
