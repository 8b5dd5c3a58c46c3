package io.vetcd.proxy;

import java.util.List;

/**
 * The cluster endpoints and the one calls go to first. Like clientv3's pinned endpoint: every call starts at the
 * pinned endpoint; when it cannot be reached the next one is pinned, so one dead member costs one failed dial,
 * not one per call. Shared by all proxy verticles; the pin is a single volatile index.
 */
final class UpstreamEndpoints {
  private final List<UpstreamEndpoint> endpoints;
  private volatile int pinned;

  UpstreamEndpoints(List<UpstreamEndpoint> endpoints) {
    if (endpoints.isEmpty()) throw new IllegalArgumentException("no endpoints");
    this.endpoints = List.copyOf(endpoints);
  }

  int size() {
    return endpoints.size();
  }

  /** Where a call starts: the pinned endpoint's index. A call keeps its own start, so a pin moved by another call mid-way never makes it try one endpoint twice. */
  int start() {
    return pinned;
  }

  /** The endpoint {@code attempt} places after {@code start}. */
  UpstreamEndpoint candidate(int start, int attempt) {
    return endpoints.get(Math.floorMod(start + attempt, endpoints.size()));
  }

  UpstreamEndpoint pinnedEndpoint() {
    return endpoints.get(pinned);
  }

  /** A dial to {@code failed} did not succeed: pin the one after it, unless another call already moved the pin. */
  void failed(UpstreamEndpoint failed) {
    int i = endpoints.indexOf(failed);
    if (i >= 0 && i == pinned) pinned = (i + 1) % endpoints.size();
  }

  List<UpstreamEndpoint> all() {
    return endpoints;
  }
}
