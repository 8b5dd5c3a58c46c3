package io.vetcd.config;

import java.time.Duration;

/** etcd's auto-compaction-retention rules: periodic takes hours or a duration, revision an integer. */
final class AutoCompaction {

  private AutoCompaction() {
  }

  static Duration period(String retention) {
    try {
      return Duration.ofHours(FlagValueParser.parseGoInt(retention));
    } catch (NumberFormatException e) {
      return GoDuration.parse(retention);
    }
  }

  static void validate(String mode, String retention) {
    try {
      if ("revision".equals(mode)) {
        if (FlagValueParser.parseGoInt(retention) < 0) {
          throw new NumberFormatException(retention);
        }
      } else if (period(retention).isNegative()) {
        throw new NumberFormatException(retention);
      }
    } catch (IllegalArgumentException e) {
      String allowed = "revision".equals(mode)
          ? "must be a non-negative revision count in revision mode"
          : "must be hours (e.g. 1) or a duration (e.g. 30m) in periodic mode";
      throw ConfigException.invalidValue("auto-compaction-retention", retention, allowed);
    }
  }
}
