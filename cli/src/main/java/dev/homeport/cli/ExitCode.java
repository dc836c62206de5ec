package dev.homeport.cli;

/** The plugin's exit codes, listed in the top-level help. */
public final class ExitCode {

  /** The command did what was asked. */
  public static final int OK = 0;

  /** The operation failed or was refused (by the plugin, the operator or the API server). */
  public static final int FAILED = 1;

  /** Bad usage or input: a missing --approve, an unknown region, a malformed option. */
  public static final int USAGE = 2;

  /** The cluster cannot be reached, or an object it needs (the topology, a drill) is not there. */
  public static final int UNAVAILABLE = 3;

  private ExitCode() {}
}
