package dev.homeport.e2e.runbook;

/**
 * A command block that failed (non-zero exit, time-out, or its stand-in action failed): the page,
 * the block, the line, the command and its output are in the message.
 */
public final class RunbookFailure extends AssertionError {

  private static final long serialVersionUID = 1L;

  private final String page;
  private final int block;
  private final int line;

  RunbookFailure(String page, int block, int line, String message, Throwable cause) {
    super(message, cause);
    this.page = page;
    this.block = block;
    this.line = line;
  }

  /** The page's name, e.g. {@code failback.md}. */
  public String page() {
    return page;
  }

  /** The failed command block's number, from 1. */
  public int block() {
    return block;
  }

  /** The page line of the failed command (the block's first line when unknown). */
  public int line() {
    return line;
  }
}
