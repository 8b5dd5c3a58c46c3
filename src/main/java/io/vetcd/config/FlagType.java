package io.vetcd.config;

/** The Go flag kinds etcd uses; each maps to one Java value type (see {@link FlagValueParser}). */
public enum FlagType {
  /** Go string; Java {@code String}. */
  STRING,
  /** Go bool (strconv.ParseBool); Java {@code Boolean}. Bare on the command line means true. */
  BOOL,
  /** Go int / int64; Java {@code Long}. */
  INT,
  /** Go uint / uint64; Java {@code Long}, must be non-negative. */
  UINT,
  /** Go uint32; Java {@code Long} in [0, 4294967295]. */
  UINT32,
  /** Go time.Duration ("100ms", "2h", "0"); Java {@code java.time.Duration}. */
  DURATION,
  /** Comma-separated URLs (http, https, unix, unixs); Java {@code List<URI>}. */
  URLS,
  /** Comma-separated strings; Java {@code List<String>}. */
  STRINGS,
  /** Legacy etcd flag accepted and ignored with a warning, like etcd's IgnoredFlag. */
  IGNORED;

  public boolean isBoolean() {
    return this == BOOL || this == IGNORED;
  }
}
