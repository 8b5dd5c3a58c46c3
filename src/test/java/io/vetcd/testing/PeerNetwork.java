package io.vetcd.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The network between the members of a {@link ProcessCluster}, controlled per ordered link from
 * the test JVM: partitions (cut both ways), one-way loss (cut one way), latency.
 *
 * <p>Design: one TCP proxy per member, listening on the member's <em>advertised</em> peer port
 * and forwarding to its real (listen) peer port. Per-link proxies with a different
 * {@code --initial-cluster} per member are not possible: etcd (and vetcd) derive member ids and
 * the cluster id from the advertised peer URLs, so every member must see the same URLs, and on
 * restart a member takes them from its data dir anyway. Instead the proxy tells links apart by
 * asking the kernel which member's process owns the dialing socket ({@link SocketOwners}), so
 * every connection is known as "member A dialed member B" and each byte direction on it belongs
 * to link A->B or B->A. Client ports are not proxied.
 *
 * <p>A link cut both ways (a partition) closes every established connection between the pair, so
 * raft streams notice at once, and closes new ones as soon as they are accepted (the dialer sees
 * a reset, as with a refused connection). A link cut one way discards the bytes flowing that way
 * on every connection between the pair and lets the other way through; those connections are
 * closed when the link heals (their byte streams have holes). Latency delays each chunk by the
 * link's delay, in order.
 */
public final class PeerNetwork implements AutoCloseable {
    private final List<ProcessCluster.Member> members;
    private final boolean[][] cut;
    private final long[][] delayMs;
    private final Set<ProxiedConnection> connections = ConcurrentHashMap.newKeySet();
    private final List<ServerSocket> listeners = new ArrayList<>();
    /** Connections whose dialer could not be identified; they are closed (should stay 0). */
    public final AtomicInteger unidentified = new AtomicInteger();
    public final AtomicInteger accepted = new AtomicInteger();
    /** Connections closed because their link was cut (at the cut, or refused while cut). */
    public final AtomicInteger cutConnections = new AtomicInteger();
    private volatile boolean closed;

    private PeerNetwork(List<ProcessCluster.Member> members) {
        this.members = List.copyOf(members);
        int n = members.size();
        this.cut = new boolean[n][n];
        this.delayMs = new long[n][n];
    }

    /** Listens on every member's advertised peer port (the cluster must be prepared with proxied peers, not started). */
    public static PeerNetwork listen(ProcessCluster cluster) throws IOException {
        PeerNetwork net = new PeerNetwork(cluster.members);
        for (int i = 0; i < net.members.size(); i++) {
            ProcessCluster.Member m = net.members.get(i);
            if (m.advertisedPeerPort == m.peerPort) throw new IllegalStateException(m.name + " is not behind a proxy");
            ServerSocket ss = new ServerSocket();
            ss.setReuseAddress(true);
            ss.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), m.advertisedPeerPort), 128);
            net.listeners.add(ss);
            int target = i;
            Thread t = new Thread(() -> net.acceptLoop(ss, target), "peer-proxy-" + m.name);
            t.setDaemon(true);
            t.start();
        }
        return net;
    }

    // ---- faults ----

    /** Cuts every link of member i, both ways. */
    public synchronized void isolate(int i) {
        for (int j = 0; j < members.size(); j++) if (j != i) cutBothWays(i, j);
    }

    public synchronized void cutBothWays(int a, int b) {
        cut[a][b] = true;
        cut[b][a] = true;
        for (ProxiedConnection c : connections) {
            if (c.between(a, b)) {
                cutConnections.incrementAndGet();
                c.close();
            }
        }
    }

    /** Bytes from member {@code from} to member {@code to} are lost; the other way still works. */
    public synchronized void cutOneWay(int from, int to) {
        cut[from][to] = true;
    }

    public synchronized void delay(int from, int to, long ms) {
        delayMs[from][to] = ms;
    }

    /** Heals every link (cuts and latency) and closes the connections that lost bytes. */
    public synchronized void healAll() {
        for (int a = 0; a < members.size(); a++) {
            for (int b = 0; b < members.size(); b++) {
                cut[a][b] = false;
                delayMs[a][b] = 0;
            }
        }
        for (ProxiedConnection c : connections) if (c.tainted()) c.close();
    }

    synchronized boolean cut(int from, int to) {
        return cut[from][to];
    }

    synchronized long delayMs(int from, int to) {
        return delayMs[from][to];
    }

    void forget(ProxiedConnection c) {
        connections.remove(c);
    }

    // ---- proxying ----

    private void acceptLoop(ServerSocket ss, int target) {
        while (!closed) {
            Socket s;
            try {
                s = ss.accept();
            } catch (IOException e) {
                return; // closed
            }
            accepted.incrementAndGet();
            // identifying the dialer reads /proc: not on the accept thread
            Thread t = new Thread(() -> connect(s, target), "peer-proxy-connect");
            t.setDaemon(true);
            t.start();
        }
    }

    private void connect(Socket s, int target) {
        try {
            int dialer = dialerOf(s);
            if (dialer < 0) {
                unidentified.incrementAndGet();
                s.close();
                return;
            }
            if (cut(dialer, target) && cut(target, dialer)) {
                cutConnections.incrementAndGet();
                s.close();
                return;
            }
            Socket up = new Socket();
            try {
                up.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), members.get(target).peerPort), 1000);
            } catch (IOException down) {
                up.close();
                s.close(); // the member is down: the dialer sees its connection end
                return;
            }
            s.setTcpNoDelay(true);
            up.setTcpNoDelay(true);
            ProxiedConnection c = new ProxiedConnection(dialer, target, s, up, this);
            connections.add(c);
            if (closed) {
                c.close();
                return;
            }
            try {
                c.start();
            } catch (IOException e) {
                c.close(); // closes both sockets and forgets it
            }
        } catch (IOException e) {
            try {
                s.close();
            } catch (IOException ignored) {
                // gone
            }
        }
    }

    /** The index of the member that dialed s, or -1; retried briefly, as /proc may lag an accept by a moment. */
    private int dialerOf(Socket s) {
        for (int attempt = 0; attempt < 10; attempt++) {
            List<Long> pids = members.stream().map(ProcessCluster.Member::currentPid).toList();
            long pid = SocketOwners.dialer(s.getPort(), s.getLocalPort(), pids);
            if (pid > 0) return pids.indexOf(pid);
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return -1;
            }
        }
        return -1;
    }

    @Override
    public void close() {
        closed = true;
        for (ServerSocket ss : listeners) {
            try {
                ss.close();
            } catch (IOException ignored) {
                // already closed
            }
        }
        for (ProxiedConnection c : connections) c.close();
    }
}
