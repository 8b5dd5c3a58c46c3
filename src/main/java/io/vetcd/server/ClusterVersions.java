package io.vetcd.server;

import java.util.Collection;

/**
 * etcd's version arithmetic for cluster version negotiation: versions compare by major, minor and
 * patch; the cluster runs at the lowest member's major.minor, and none is decided while any member's
 * version is unknown (etcd's decideClusterVersion).
 */
public final class ClusterVersions {
    /** What etcd 3.4 sets when no version can be decided yet (version.MinClusterVersion). */
    public static final String MIN_CLUSTER_VERSION = "3.0.0";

    private ClusterVersions() {}

    /** "3.4.23" → "3.4" (etcd's version.Cluster), used in logs and the etcd_cluster_version label. */
    public static String majorMinor(String version) {
        int[] v = parse(version);
        return v[0] + "." + v[1];
    }

    /** The cluster version members at these server versions agree on, or null if one is unknown (null). */
    public static String decide(Collection<String> serverVersions) {
        int[] min = null;
        for (String s : serverVersions) {
            if (s == null) return null;
            int[] v = parse(s);
            if (min == null || compare(v, min) < 0) min = v;
        }
        return min == null ? null : min[0] + "." + min[1] + ".0";
    }

    /** Negative, zero or positive as {@code a} is lower than, equal to or higher than {@code b}. */
    public static int compare(String a, String b) { return compare(parse(a), parse(b)); }

    private static int compare(int[] a, int[] b) {
        for (int i = 0; i < 3; i++) if (a[i] != b[i]) return Integer.compare(a[i], b[i]);
        return 0;
    }

    private static int[] parse(String version) {
        String core = version.split("[-+]", 2)[0];
        String[] p = core.split("\\.");
        int[] v = new int[3];
        for (int i = 0; i < 3 && i < p.length; i++) {
            try {
                v[i] = Integer.parseInt(p[i]);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("not a version: " + version);
            }
        }
        return v;
    }
}
