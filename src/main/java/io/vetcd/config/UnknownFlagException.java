package io.vetcd.config;

/** A command-line flag, env var or config key that etcd 3.4 does not define. */
public final class UnknownFlagException extends ConfigException {

  private final String flag;

  public UnknownFlagException(String flag) {
    super("etcd: unknown flag --" + flag);
    this.flag = flag;
  }

  public UnknownFlagException(String flag, String message) {
    super(message);
    this.flag = flag;
  }

  public String flag() {
    return flag;
  }
}
