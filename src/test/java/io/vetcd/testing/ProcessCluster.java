package io.vetcd.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A multi-member vetcd (or real etcd) cluster of child processes on free loopback ports, one data
 * dir each, for fault tests: kill -9 and restart on the same data dir,
 * SIGSTOP/SIGCONT. Every signal goes to a pid this class started; close()
 * stops every member it started (SIGCONT first, then SIGTERM, then SIGKILL).
 * Each member's output is appended to {@code <root>/<name>.log}.
 */
public final class ProcessCluster implements AutoCloseable {
    public final class Member {
        public final String name;
        public final int clientPort;
        /** The port the member listens on for peers. */
        public final int peerPort;
        /** The port in its peer URL, which the others dial: peerPort, or a {@link PeerNetwork} proxy's port. */
        public final int advertisedPeerPort;
        public final Path dataDir;
        private volatile Process process;
        private volatile boolean stopped;
        private int starts;
        /** What runs this member: real etcd or a vetcd JVM. */
        public final List<String> command;
        /** Added to the environment of every start (e.g. libfaketime's, {@link MemberClock}). */
        public final java.util.Map<String, String> environment = new java.util.concurrent.ConcurrentHashMap<>();
        /** Added to the flags of every start after the cluster's own (e.g. --force-new-cluster for one restart). */
        public final List<String> flags = new java.util.concurrent.CopyOnWriteArrayList<>();

        Member(String name, int clientPort, int peerPort, int advertisedPeerPort, Path dataDir, List<String> command) {
            this.command = command;
            this.name = name;
            this.clientPort = clientPort;
            this.peerPort = peerPort;
            this.advertisedPeerPort = advertisedPeerPort;
            this.dataDir = dataDir;
        }

        public String endpoint() {
            return "http://127.0.0.1:" + clientPort;
        }

        public boolean alive() {
            Process p = process;
            return p != null && p.isAlive();
        }

        public boolean paused() {
            return stopped;
        }

        public long pid() {
            return process.pid();
        }

        /** The pid of the running (or paused) process, or -1. */
        public long currentPid() {
            Process p = process;
            return p != null && p.isAlive() ? p.pid() : -1;
        }

        /** Starts (or restarts on the same data dir) and waits for "ready to serve client requests". */
        public synchronized void start(long readyTimeoutSeconds) throws IOException, InterruptedException {
            CountDownLatch ready = launch();
            if (!ready.await(readyTimeoutSeconds, TimeUnit.SECONDS)) {
                Process p = process;
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
                throw new IllegalStateException(name + " did not become ready in " + readyTimeoutSeconds + " s; log " + root.resolve(name + ".log"));
            }
        }

        /** Starts (or restarts) without waiting for it to serve: for a member expected to stop by itself. */
        public synchronized void startWithoutWaiting() throws IOException {
            launch();
        }

        /** This member's output so far, every start (the log file the reader appends to). */
        public String log() throws IOException {
            Path f = root.resolve(name + ".log");
            return Files.exists(f) ? Files.readString(f) : "";
        }

        /** Starts the process and its output reader; the latch opens at "ready to serve client requests". */
        private CountDownLatch launch() throws IOException {
            if (alive()) throw new IllegalStateException(name + " is running");
            List<String> cmd = new ArrayList<>(command);
            cmd.addAll(List.of("--name", name, "--data-dir", dataDir.toString(),
                "--listen-client-urls", endpoint(), "--advertise-client-urls", endpoint(),
                "--listen-peer-urls", "http://127.0.0.1:" + peerPort,
                "--initial-advertise-peer-urls", "http://127.0.0.1:" + advertisedPeerPort,
                "--initial-cluster", initialCluster(), "--initial-cluster-token", token));
            cmd.addAll(extraFlags);
            cmd.addAll(flags);
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
            pb.environment().putAll(environment);
            Process p = pb.start();
            process = p;
            stopped = false;
            starts++;
            CountDownLatch ready = new CountDownLatch(1);
            Path logFile = root.resolve(name + ".log");
            String banner = "==== start #" + starts + " pid " + p.pid() + " ====\n";
            Thread reader = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                     OutputStream out = Files.newOutputStream(logFile, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
                    out.write(banner.getBytes(StandardCharsets.UTF_8));
                    String line;
                    while ((line = r.readLine()) != null) {
                        out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
                        // etcd with --logger zap says "serving client traffic ..." instead
                        if (line.contains("ready to serve client requests") || line.contains("\"serving client traffic")) {
                            ready.countDown();
                            out.flush();
                        }
                    }
                } catch (IOException ignored) {
                    // process gone
                }
            }, name + "-output");
            reader.setDaemon(true);
            reader.start();
            return ready;
        }

        /** Whether this member runs vetcd (not real etcd). */
        public boolean isVetcd() {
            return !command.get(0).equals("etcd");
        }

        /** Waits up to {@code ms} for the process to exit by itself; its exit code, or null if it still runs. */
        public Integer awaitExit(long ms) throws InterruptedException {
            Process p = process;
            if (p == null) return null;
            return p.waitFor(ms, TimeUnit.MILLISECONDS) ? p.exitValue() : null;
        }

        /** kill -9 of this member's pid. */
        public synchronized void kill9() throws InterruptedException {
            Process p = process;
            if (p == null) return;
            p.destroyForcibly();
            p.waitFor(30, TimeUnit.SECONDS);
            stopped = false;
        }

        /** kill -STOP of this member's pid. */
        public synchronized void pause() throws IOException, InterruptedException {
            signal("STOP");
            stopped = true;
        }

        /** kill -CONT of this member's pid. */
        public synchronized void resume() throws IOException, InterruptedException {
            signal("CONT");
            stopped = false;
        }

        private void signal(String sig) throws IOException, InterruptedException {
            Process p = process;
            if (p == null || !p.isAlive()) return;
            Process k = new ProcessBuilder("kill", "-" + sig, Long.toString(p.pid())).inheritIO().start();
            if (!k.waitFor(10, TimeUnit.SECONDS)) k.destroyForcibly();
        }

        /** SIGCONT if paused, then SIGTERM, then SIGKILL after a grace period. */
        public synchronized void stop() throws IOException, InterruptedException {
            Process p = process;
            if (p == null || !p.isAlive()) return;
            if (stopped) resume();
            p.destroy();
            if (!p.waitFor(15, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor(15, TimeUnit.SECONDS);
            }
        }
    }

    public final Path root;
    public final List<Member> members = new ArrayList<>();
    private final String token;
    private final List<String> extraFlags;
    /** What runs each member (by index), before its etcd flags: a vetcd JVM or real etcd. */
    private final java.util.function.IntFunction<List<String>> commands;

    private ProcessCluster(Path root, int size, java.util.function.IntFunction<List<String>> commands, List<String> extraFlags,
                           boolean proxiedPeers) {
        this.root = root;
        this.token = "faults-" + root.getFileName();
        this.commands = commands;
        this.extraFlags = List.copyOf(extraFlags);
        for (int i = 1; i <= size; i++) {
            int peerPort = Ports.free();
            members.add(new Member("m" + i, Ports.free(), peerPort, proxiedPeers ? Ports.free() : peerPort, root.resolve("m" + i),
                List.copyOf(commands.apply(i - 1))));
        }
    }

    /** Starts {@code size} members concurrently (they need a quorum to become ready). */
    public static ProcessCluster start(Path root, int size, List<String> extraFlags) throws Exception {
        return startVetcd(root, size, List.of(), extraFlags);
    }

    /** vetcd members whose JVMs also get {@code jvmOptions} (e.g. -D settings etcd only has in its test code). */
    public static ProcessCluster startVetcd(Path root, int size, List<String> jvmOptions, List<String> extraFlags) throws Exception {
        List<String> cmd = vetcdCommand(jvmOptions);
        return start(root, size, i -> cmd, extraFlags);
    }

    /** Real etcd members (Debian's etcd-server), for the same scenario against etcd. */
    public static ProcessCluster startEtcd(Path root, int size, List<String> extraFlags) throws Exception {
        return start(root, size, i -> List.of("etcd"), extraFlags);
    }

    /** A mixed cluster: the first {@code etcdMembers} members are real etcd, the others vetcd. */
    public static ProcessCluster startMixed(Path root, int size, int etcdMembers, List<String> extraFlags) throws Exception {
        return start(root, size, mixedCommands(etcdMembers), extraFlags);
    }

    private static java.util.function.IntFunction<List<String>> mixedCommands(int etcdMembers) {
        List<String> vetcd = vetcdCommand(List.of());
        return i -> i < etcdMembers ? List.of("etcd") : vetcd;
    }

    /**
     * Members (the first {@code etcdMembers} real etcd, the others vetcd) whose peer URLs name ports of
     * their own, not yet started: listen there (e.g. {@link PeerNetwork#listen}), then {@link #startAll}.
     */
    public static ProcessCluster prepareWithProxiedPeers(Path root, int size, int etcdMembers, List<String> extraFlags)
            throws IOException {
        Files.createDirectories(root);
        return new ProcessCluster(root, size, mixedCommands(etcdMembers), extraFlags, true);
    }

    /**
     * Members (the first {@code etcdMembers} real etcd) not yet started, peers dialing each other directly:
     * set up their data dirs or environments, then {@link #startAll}.
     */
    public static ProcessCluster prepare(Path root, int size, int etcdMembers, List<String> extraFlags) throws IOException {
        Files.createDirectories(root);
        return new ProcessCluster(root, size, mixedCommands(etcdMembers), extraFlags, false);
    }

    private static List<String> vetcdCommand(List<String> jvmOptions) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.vetcd.node.Launcher"));
        return cmd;
    }

    private static ProcessCluster start(Path root, int size, java.util.function.IntFunction<List<String>> commands,
                                        List<String> extraFlags) throws Exception {
        Files.createDirectories(root);
        ProcessCluster c = new ProcessCluster(root, size, commands, extraFlags, false);
        c.startAll();
        return c;
    }

    /** Starts every member concurrently (they need a quorum to become ready); on failure stops them all. */
    public void startAll() throws Exception {
        startAll(120);
    }

    /** Like {@link #startAll()}, each member given {@code readySeconds} (a loaded machine needs more for 5 JVMs). */
    public void startAll(long readySeconds) throws Exception {
        ProcessCluster c = this;
        List<Thread> starters = new ArrayList<>();
        List<Throwable> errors = new java.util.concurrent.CopyOnWriteArrayList<>();
        for (Member m : c.members) {
            Thread t = new Thread(() -> {
                try {
                    m.start(readySeconds);
                } catch (Throwable e) {
                    errors.add(e);
                }
            });
            t.start();
            starters.add(t);
        }
        for (Thread t : starters) t.join();
        if (!errors.isEmpty()) {
            c.close();
            IllegalStateException e = new IllegalStateException("cluster did not start");
            errors.forEach(e::addSuppressed);
            throw e;
        }
    }

    private String initialCluster() {
        StringBuilder b = new StringBuilder();
        for (Member m : members) {
            if (b.length() > 0) b.append(',');
            b.append(m.name).append("=http://127.0.0.1:").append(m.advertisedPeerPort);
        }
        return b.toString();
    }

    /**
     * A member not started yet, for {@code etcdctl member add}: it runs what {@code like} runs, and is
     * stopped with the others. Its flags must name the cluster it joins (the cluster's own
     * {@code --initial-cluster} lists the members it started with).
     */
    public Member newMember(String name, Member like) {
        int peerPort = Ports.free();
        Member m = new Member(name, Ports.free(), peerPort, peerPort, root.resolve(name), like.command);
        members.add(m);
        return m;
    }

    /**
     * {@code m}, stopped, as a vetcd member with the same name, ports, data dir and flags: an etcd member
     * restarted as vetcd on its own data dir (which vetcd imports). It takes {@code m}'s place in the list.
     */
    public Member asVetcd(Member m) {
        if (m.alive()) throw new IllegalStateException(m.name + " is running");
        Member v = new Member(m.name, m.clientPort, m.peerPort, m.advertisedPeerPort, m.dataDir, vetcdCommand(List.of()));
        v.flags.addAll(m.flags);
        v.environment.putAll(m.environment);
        members.set(members.indexOf(m), v);
        return v;
    }

    public List<String> endpoints() {
        return members.stream().map(Member::endpoint).toList();
    }

    @Override
    public void close() {
        for (Member m : members) {
            try {
                m.stop();
            } catch (Exception e) {
                try {
                    if (m.process != null) m.process.destroyForcibly();
                } catch (Exception ignored) {
                    // best effort
                }
            }
        }
    }
}
