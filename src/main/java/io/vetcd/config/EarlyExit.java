package io.vetcd.config;

/**
 * Not an error: {@code --help} or {@code --version} was requested. The launcher prints
 * {@link #stdout()} to standard output and exits with {@link #exitCode()} (always 0).
 */
public final class EarlyExit extends RuntimeException {

  private final String stdout;

  public EarlyExit(String stdout) {
    super("early exit", null, false, false);
    this.stdout = stdout;
  }

  public String stdout() {
    return stdout;
  }

  public int exitCode() {
    return 0;
  }
}
