package io.vetcd.raft;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Keeps the raft core a pure state machine: its sources may not reach for I/O, clocks, threads,
 * Vert.x or unseeded randomness. Anything like that would make the simulator's runs irreproducible.
 */
class DeterminismGuardTest {
    private static final Path SOURCES = Path.of("src/main/java/io/vetcd/raft");

    private static final List<Pattern> FORBIDDEN = List.of(
        Pattern.compile("\\bjava\\.io\\.(File|RandomAccessFile|FileInputStream|FileOutputStream|FileReader|FileWriter)\\b"),
        Pattern.compile("\\bjava\\.nio\\.file\\b"),
        Pattern.compile("\\bjava\\.nio\\.channels\\b"),
        Pattern.compile("\\bjava\\.net\\b"),
        Pattern.compile("\\bjava\\.util\\.concurrent\\b"),
        Pattern.compile("\\bjava\\.time\\b"),
        Pattern.compile("\\bio\\.vertx\\b"),
        Pattern.compile("\\bio\\.netty\\b"),
        Pattern.compile("\\bThread\\b"),
        Pattern.compile("\\bsynchronized\\b"),
        Pattern.compile("\\bExecutor"),
        Pattern.compile("System\\s*\\.\\s*(currentTimeMillis|nanoTime|getenv|getProperty|in\\b|exit)"),
        Pattern.compile("Math\\s*\\.\\s*random"),
        Pattern.compile("new\\s+(java\\.util\\.)?Random\\s*\\(\\s*\\)"),
        Pattern.compile("new\\s+(java\\.util\\.)?SplittableRandom\\s*\\(\\s*\\)"),
        Pattern.compile("\\bSecureRandom\\b"),
        Pattern.compile("ThreadLocalRandom"),
        Pattern.compile("RandomGenerator\\s*\\.\\s*(getDefault|of)\\b"),
        Pattern.compile("\\bUUID\\s*\\.\\s*randomUUID"),
        Pattern.compile("\\bRuntime\\s*\\.\\s*getRuntime"),
        Pattern.compile("\\bProcessBuilder\\b"));

    @Test
    void raftSourcesUseNoIoClockThreadsOrUnseededRandomness() throws IOException {
        assertTrue(Files.isDirectory(SOURCES), "run from the module root");
        List<String> violations = new ArrayList<>();
        int files = 0;
        try (Stream<Path> paths = Files.walk(SOURCES)) {
            for (Path p : (Iterable<Path>) paths.filter(x -> x.toString().endsWith(".java"))::iterator) {
                files++;
                List<String> lines = Files.readAllLines(p);
                for (int i = 0; i < lines.size(); i++) {
                    String code = stripComment(lines.get(i));
                    for (Pattern f : FORBIDDEN) {
                        if (f.matcher(code).find()) violations.add(p.getFileName() + ":" + (i + 1) + " uses " + f.pattern() + ": " + lines.get(i).trim());
                    }
                }
            }
        }
        assertTrue(files > 10, "expected to scan the raft sources, found " + files);
        assertTrue(violations.isEmpty(), "raft must stay deterministic:\n" + String.join("\n", violations));
    }

    @Test
    void theGuardCatchesWhatItClaimsTo() {
        // Guard the guard: each of these lines must be flagged.
        List<String> bad = List.of("import java.nio.file.Files;", "long t = System.nanoTime();", "new Random()",
            "import java.util.concurrent.ConcurrentHashMap;", "import io.vertx.core.Vertx;", "Thread.sleep(1);",
            "double d = Math.random();", "System.currentTimeMillis()", "import java.net.Socket;");
        for (String line : bad) {
            assertTrue(FORBIDDEN.stream().anyMatch(f -> f.matcher(line).find()), "not caught: " + line);
        }
        assertFalse(FORBIDDEN.stream().anyMatch(f -> f.matcher("new SplittableRandom(seed)").find()));
    }

    /** Drops a trailing // comment and lines inside Javadoc/block comments (leading '*' or '/*'). */
    private static String stripComment(String line) {
        String t = line.trim();
        if (t.startsWith("*") || t.startsWith("/*") || t.startsWith("//")) return "";
        int i = line.indexOf("//");
        return i >= 0 ? line.substring(0, i) : line;
    }
}
