package io.vetcd.testing;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Which process dialed a loopback TCP connection, asked of Linux's /proc: the dialer's socket is
 * the row of /proc/net/tcp{,6} whose local port is the accepted socket's remote port and whose
 * remote port is our listening port; its inode is then looked for among the open files of the
 * candidate pids (only pids the caller started). {@link PeerNetwork} needs this because every
 * member dials the same advertised peer URL of a peer, and etcd's member ids are derived from
 * those URLs, so members cannot be given different URLs per link.
 */
final class SocketOwners {
    private SocketOwners() {}

    /** The candidate pid owning the dialing end of loopback connection dialerPort -> listenPort, or -1. */
    static long dialer(int dialerPort, int listenPort, List<Long> candidatePids) {
        String inode = inode(dialerPort, listenPort);
        if (inode == null) return -1;
        String link = "socket:[" + inode + "]";
        for (long pid : candidatePids) {
            if (pid <= 0) continue;
            try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "fd"))) {
                for (Path fd : fds) {
                    try {
                        if (Files.readSymbolicLink(fd).toString().equals(link)) return pid;
                    } catch (IOException closedMeanwhile) {
                        // the fd went away while we listed: not ours
                    }
                }
            } catch (IOException gone) {
                // process exited: not the dialer
            }
        }
        return -1;
    }

    private static String inode(int localPort, int remotePort) {
        String local = String.format(Locale.ROOT, ":%04X", localPort);
        String remote = String.format(Locale.ROOT, ":%04X", remotePort);
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            List<String> lines;
            try {
                lines = Files.readAllLines(Path.of(table));
            } catch (IOException e) {
                continue;
            }
            for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
                String[] f = line.trim().split("\\s+");
                if (f.length > 9 && f[1].endsWith(local) && f[2].endsWith(remote) && !f[9].equals("0")) return f[9];
            }
        }
        return null;
    }
}
