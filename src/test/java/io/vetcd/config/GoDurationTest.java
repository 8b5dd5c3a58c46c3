package io.vetcd.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class GoDurationTest {

  @Test
  void parsesGoSyntax() {
    assertEquals(Duration.ZERO, GoDuration.parse("0"));
    assertEquals(Duration.ofMillis(100), GoDuration.parse("100ms"));
    assertEquals(Duration.ofHours(2), GoDuration.parse("2h0m0s"));
    assertEquals(Duration.ofMinutes(90), GoDuration.parse("1.5h"));
    assertEquals(Duration.ofSeconds(5), GoDuration.parse("5000000000ns"));
    assertEquals(Duration.ofNanos(1500), GoDuration.parse("1.5µs"));
    assertEquals(Duration.ofSeconds(-3), GoDuration.parse("-3s"));
  }

  @Test
  void rejectsBareNumbersAndGarbage() {
    assertThrows(IllegalArgumentException.class, () -> GoDuration.parse("5"));
    assertThrows(IllegalArgumentException.class, () -> GoDuration.parse(""));
    assertThrows(IllegalArgumentException.class, () -> GoDuration.parse("5 s"));
    assertThrows(IllegalArgumentException.class, () -> GoDuration.parse("1d"));
  }

  @Test
  void formatsLikeGo() {
    assertEquals("2h0m0s", GoDuration.format(Duration.ofHours(2)));
    assertEquals("100ms", GoDuration.format(Duration.ofMillis(100)));
    assertEquals("0s", GoDuration.format(Duration.ZERO));
    assertEquals("1m30s", GoDuration.format(Duration.ofSeconds(90)));
  }
}
