package io.vetcd.config;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** The {@code cluster} section: bootstrap, advertised URLs, raft and compaction policy. */
public final class ClusterConfig {

  private final FlagValues v;
  private final Map<String, List<URI>> initialCluster;

  ClusterConfig(FlagValues v, Map<String, List<URI>> initialCluster) {
    this.v = v;
    this.initialCluster = initialCluster;
  }

  public List<URI> initialAdvertisePeerUrls() { return v.get("initial-advertise-peer-urls"); }
  /** Member name to peer URLs, in the order given; derived from name + advertise URLs when unset. */
  public Map<String, List<URI>> initialCluster() { return initialCluster; }
  /** {@code new} or {@code existing}. */
  public String initialClusterState() { return v.string("initial-cluster-state"); }
  public boolean isNewCluster() { return "new".equals(initialClusterState()); }
  public String initialClusterToken() { return v.string("initial-cluster-token"); }
  public List<URI> advertiseClientUrls() { return v.get("advertise-client-urls"); }
  public String discovery() { return v.string("discovery"); }
  public String discoveryFallback() { return v.string("discovery-fallback"); }
  public String discoveryProxy() { return v.string("discovery-proxy"); }
  public String discoverySrv() { return v.string("discovery-srv"); }
  public String discoverySrvName() { return v.string("discovery-srv-name"); }
  /** etcd 3.6's v3 discovery: the token and the client endpoints of the cluster that holds its registry. */
  public String discoveryToken() { return v.string("discovery-token"); }
  public List<String> discoveryEndpoints() { return v.get("discovery-endpoints"); }
  public java.time.Duration discoveryDialTimeout() { return v.get("discovery-dial-timeout"); }
  public java.time.Duration discoveryRequestTimeout() { return v.get("discovery-request-timeout"); }
  public boolean discoveryInsecureTransport() { return v.bool("discovery-insecure-transport"); }
  public boolean discoveryInsecureSkipTlsVerify() { return v.bool("discovery-insecure-skip-tls-verify"); }
  public String discoveryCert() { return v.string("discovery-cert"); }
  public String discoveryKey() { return v.string("discovery-key"); }
  public String discoveryCacert() { return v.string("discovery-cacert"); }
  public String discoveryUser() { return v.string("discovery-user"); }
  public String discoveryPassword() { return v.string("discovery-password"); }
  public boolean strictReconfigCheck() { return v.bool("strict-reconfig-check"); }
  public boolean preVote() { return v.bool("pre-vote"); }
  public boolean enableV2() { return v.bool("enable-v2"); }
  /** {@code periodic} or {@code revision}. */
  public String autoCompactionMode() { return v.string("auto-compaction-mode"); }
  /** As given: hours or a duration in periodic mode, a revision count in revision mode. */
  public String autoCompactionRetention() { return v.string("auto-compaction-retention"); }

  /** Periodic retention as a duration (a bare number means hours, as in etcd); zero disables. */
  public Duration autoCompactionRetentionPeriod() {
    return AutoCompaction.period(autoCompactionRetention());
  }

  /** Revision retention; only meaningful in revision mode. */
  public long autoCompactionRetentionRevisions() {
    return FlagValueParser.parseGoInt(autoCompactionRetention());
  }
}
