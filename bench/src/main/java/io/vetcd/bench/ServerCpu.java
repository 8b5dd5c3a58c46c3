package io.vetcd.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** CPU time (user + system) a process has used so far, from /proc/PID/stat, in seconds. */
final class ServerCpu {
    private ServerCpu() {}

    /** Clock ticks per second of /proc/PID/stat's utime/stime; USER_HZ is 100 on every Linux we run on. */
    static final double TICKS_PER_SECOND = 100.0;

    static double seconds(long pid) {
        try {
            String s = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // the command name (field 2) may contain spaces: fields after it start after the last ')'
            String[] f = s.substring(s.lastIndexOf(')') + 2).trim().split(" ");
            // f[0] is field 3 (state); utime is field 14, stime field 15
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / TICKS_PER_SECOND;
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }
}
