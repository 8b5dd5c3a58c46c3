package io.vetcd.config;

/** The {@code vertx} section: vetcd's own threading knobs (defaults: number of cores). */
public final class VertxConfig {

  private final FlagValues v;

  VertxConfig(FlagValues v) {
    this.v = v;
  }

  /** Instances of the client-facing (gRPC/HTTP 2379) server verticle. */
  public int clientInstances() { return v.integer("vertx-client-instances"); }
  /** Instances of the peer-facing (2380) server verticle. */
  public int peerInstances() { return v.integer("vertx-peer-instances"); }
  public int eventLoopPoolSize() { return v.integer("vertx-event-loop-pool-size"); }
  public int workerPoolSize() { return v.integer("vertx-worker-pool-size"); }
  /** The network transport asked for: auto, io_uring, epoll or nio. */
  public String transport() { return v.string("vertx-transport"); }
}
