package io.vetcd.proxy;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The proxy mode's endpoint rules: --proxy-failure-wait rests a failed endpoint; a refresh replaces the list. */
class UpstreamEndpointsTest {
  static final UpstreamEndpoint A = new UpstreamEndpoint("127.0.0.1", 1, false);
  static final UpstreamEndpoint B = new UpstreamEndpoint("127.0.0.1", 2, false);
  static final UpstreamEndpoint C = new UpstreamEndpoint("127.0.0.1", 3, false);

  @Test
  void aFailedEndpointRestsForTheFailureWait() throws Exception {
    UpstreamEndpoints eps = new UpstreamEndpoints(List.of(A, B), 300, 1000);
    assertFalse(eps.resting(A));
    eps.failed(A);
    assertTrue(eps.resting(A));
    assertEquals(B, eps.pinnedEndpoint());
    Thread.sleep(350);
    assertFalse(eps.resting(A));
  }

  @Test
  void withoutAFailureWaitNothingRests() {
    UpstreamEndpoints eps = new UpstreamEndpoints(List.of(A, B));
    eps.failed(A);
    assertFalse(eps.resting(A));
    assertEquals(5000, eps.dialTimeoutMs());
  }

  @Test
  void aRefreshKeepsThePinnedEndpointWhenItIsStillAMember() {
    UpstreamEndpoints eps = new UpstreamEndpoints(List.of(A, B), 0, 1000);
    eps.failed(A); // pins B
    eps.replace(List.of(C, B));
    assertEquals(List.of(C, B), eps.all());
    assertEquals(B, eps.pinnedEndpoint());
    eps.replace(List.of(A, C));
    assertEquals(A, eps.pinnedEndpoint());
    eps.replace(List.of()); // a failed refresh keeps what is known
    assertEquals(List.of(A, C), eps.all());
  }
}
