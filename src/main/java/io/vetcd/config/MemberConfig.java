package io.vetcd.config;

import java.net.URI;
import java.time.Duration;
import java.util.List;

/** The {@code member} section: identity, storage, listeners, limits, experimental knobs. */
public final class MemberConfig {

  private final FlagValues v;

  MemberConfig(FlagValues v) {
    this.v = v;
  }

  public String name() { return v.string("name"); }
  /** Effective data dir; {@code <name>.etcd} when not set. */
  public String dataDir() { return v.string("data-dir"); }
  /** Dedicated WAL dir, or empty for {@code <data-dir>/member/wal}. */
  public String walDir() { return v.string("wal-dir"); }
  public long snapshotCount() { return v.number("snapshot-count"); }
  public long snapshotCatchUpEntries() { return v.number("experimental-snapshot-catchup-entries"); }
  public long heartbeatIntervalMs() { return v.number("heartbeat-interval"); }
  public long electionTimeoutMs() { return v.number("election-timeout"); }
  public boolean initialElectionTickAdvance() { return v.bool("initial-election-tick-advance"); }
  public List<URI> listenPeerUrls() { return v.get("listen-peer-urls"); }
  public List<URI> listenClientUrls() { return v.get("listen-client-urls"); }
  public long maxSnapshots() { return v.number("max-snapshots"); }
  public long maxWals() { return v.number("max-wals"); }
  public long quotaBackendBytes() { return v.number("quota-backend-bytes"); }
  public Duration backendBatchInterval() { return v.get("backend-batch-interval"); }
  public long backendBatchLimit() { return v.number("backend-batch-limit"); }
  public long maxTxnOps() { return v.number("max-txn-ops"); }
  public long maxRequestBytes() { return v.number("max-request-bytes"); }
  public long maxConcurrentStreams() { return v.number("max-concurrent-streams"); }
  public Duration grpcKeepAliveMinTime() { return v.get("grpc-keepalive-min-time"); }
  public Duration grpcKeepAliveInterval() { return v.get("grpc-keepalive-interval"); }
  public Duration grpcKeepAliveTimeout() { return v.get("grpc-keepalive-timeout"); }
  /** Allowed CORS origins; {@code ["*"]} (or empty) means all. */
  public List<String> cors() { return v.get("cors"); }
  public List<String> hostWhitelist() { return v.get("host-whitelist"); }
  public boolean enablePprof() { return v.bool("enable-pprof"); }
  /** {@code basic} or {@code extensive}. */
  public String metrics() { return v.string("metrics"); }
  public List<URI> listenMetricsUrls() { return v.get("listen-metrics-urls"); }
  public boolean enableGrpcGateway() { return v.bool("enable-grpc-gateway"); }
  public boolean forceNewCluster() { return v.bool("force-new-cluster"); }
  public boolean unsafeNoFsync() { return v.bool("unsafe-no-fsync"); }
  public boolean experimentalInitialCorruptCheck() { return v.bool("experimental-initial-corrupt-check"); }
  public Duration experimentalCorruptCheckTime() { return v.get("experimental-corrupt-check-time"); }
  public String experimentalEnableV2v3() { return v.string("experimental-enable-v2v3"); }
  public String experimentalBackendBboltFreelistType() { return v.string("experimental-backend-bbolt-freelist-type"); }
  public boolean experimentalEnableLeaseCheckpoint() { return v.bool("experimental-enable-lease-checkpoint"); }
  public boolean experimentalEnableLeaseCheckpointPersist() { return v.bool("experimental-enable-lease-checkpoint-persist"); }
  public long experimentalCompactionBatchLimit() { return v.number("experimental-compaction-batch-limit"); }
  public Duration experimentalWatchProgressNotifyInterval() { return v.get("experimental-watch-progress-notify-interval"); }
  public Duration experimentalWarningApplyDuration() { return v.get("experimental-warning-apply-duration"); }
}
