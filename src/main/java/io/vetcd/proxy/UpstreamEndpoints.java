package io.vetcd.proxy;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The cluster endpoints and the one calls go to first. Like clientv3's pinned endpoint: every call starts at the
 * pinned endpoint; when it cannot be reached the next one is pinned, so one dead member costs one failed dial,
 * not one per call. Shared by all proxy verticles; the pin is a single volatile index.
 *
 * <p>For the config's proxy mode (etcd's v2 proxy) the list is replaced when the member list is refreshed, an
 * endpoint that failed a dial is skipped for {@code failureWaitMs} (etcd's --proxy-failure-wait) while another one
 * is available, and dials give up after {@code dialTimeoutMs} (--proxy-dial-timeout).
 */
final class UpstreamEndpoints {
  private volatile List<UpstreamEndpoint> endpoints;
  private volatile int pinned;
  private final long failureWaitMs;
  private final int dialTimeoutMs;
  /** When a failed endpoint may be tried again (System.nanoTime); only used with a failure wait. */
  private final Map<UpstreamEndpoint, Long> restingUntil = new ConcurrentHashMap<>();

  UpstreamEndpoints(List<UpstreamEndpoint> endpoints) {
    this(endpoints, 0, 5000);
  }

  UpstreamEndpoints(List<UpstreamEndpoint> endpoints, long failureWaitMs, int dialTimeoutMs) {
    if (endpoints.isEmpty()) throw new IllegalArgumentException("no endpoints");
    this.endpoints = List.copyOf(endpoints);
    this.failureWaitMs = failureWaitMs;
    this.dialTimeoutMs = dialTimeoutMs;
  }

  int size() {
    return endpoints.size();
  }

  /** How long a dial to an endpoint may take before it counts as failed. */
  int dialTimeoutMs() {
    return dialTimeoutMs;
  }

  /** Where a call starts: the pinned endpoint's index. A call keeps its own start, so a pin moved by another call mid-way never makes it try one endpoint twice. */
  int start() {
    return pinned;
  }

  /** The endpoint {@code attempt} places after {@code start}. */
  UpstreamEndpoint candidate(int start, int attempt) {
    List<UpstreamEndpoint> eps = endpoints;
    return eps.get(Math.floorMod(start + attempt, eps.size()));
  }

  UpstreamEndpoint pinnedEndpoint() {
    List<UpstreamEndpoint> eps = endpoints;
    return eps.get(Math.floorMod(pinned, eps.size()));
  }

  /** A dial to {@code failed} did not succeed: pin the one after it, unless another call already moved the pin. */
  void failed(UpstreamEndpoint failed) {
    if (failureWaitMs > 0) restingUntil.put(failed, System.nanoTime() + failureWaitMs * 1_000_000L);
    List<UpstreamEndpoint> eps = endpoints;
    int i = eps.indexOf(failed);
    if (i >= 0 && i == pinned) pinned = (i + 1) % eps.size();
  }

  /** Whether {@code ep} failed less than the failure wait ago (it is skipped while another endpoint is available). */
  boolean resting(UpstreamEndpoint ep) {
    Long until = restingUntil.get(ep);
    if (until == null) return false;
    if (System.nanoTime() - until >= 0) {
      restingUntil.remove(ep, until);
      return false;
    }
    return true;
  }

  /** The refreshed member list's client endpoints (an empty answer keeps the current list, as etcd's proxy does). */
  void replace(List<UpstreamEndpoint> fresh) {
    if (fresh.isEmpty() || fresh.equals(endpoints)) return;
    UpstreamEndpoint current = pinnedEndpoint();
    List<UpstreamEndpoint> copy = List.copyOf(fresh);
    int keep = copy.indexOf(current);
    endpoints = copy;
    pinned = Math.max(keep, 0);
    restingUntil.keySet().retainAll(copy);
  }

  List<UpstreamEndpoint> all() {
    return endpoints;
  }
}
