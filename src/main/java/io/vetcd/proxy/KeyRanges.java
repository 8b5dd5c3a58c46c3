package io.vetcd.proxy;

/** etcd's key-range arithmetic the proxy needs. */
final class KeyRanges {
  private KeyRanges() {
  }

  /** The range end that covers every key starting with {@code prefix}: the prefix with its last byte below 0xff incremented; "\0" if none. */
  static byte[] prefixEnd(byte[] prefix) {
    for (int i = prefix.length - 1; i >= 0; i--) {
      if ((prefix[i] & 0xff) < 0xff) {
        byte[] end = java.util.Arrays.copyOf(prefix, i + 1);
        end[i]++;
        return end;
      }
    }
    return new byte[] {0};
  }
}
