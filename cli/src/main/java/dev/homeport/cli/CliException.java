package dev.homeport.cli;

/**
 * A failure to report to the user as one readable message, with the exit code the plugin ends with.
 * Every command throws it for the failures it knows; {@link Main} prints it without a stack trace.
 */
public final class CliException extends RuntimeException {

  private final int exitCode;

  public CliException(int exitCode, String message) {
    super(message);
    this.exitCode = exitCode;
  }

  public CliException(int exitCode, String message, Throwable cause) {
    super(message, cause);
    this.exitCode = exitCode;
  }

  /** Formats the message like {@link String#format}. */
  public static CliException of(int exitCode, String format, Object... args) {
    return new CliException(exitCode, String.format(format, args));
  }

  public int exitCode() {
    return exitCode;
  }
}
