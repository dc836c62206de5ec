package dev.homeport.e2e.runbook;

/**
 * One command block of a runbook page: a fenced block tagged {@code sh}.
 *
 * @param number its place among the page's command blocks, from 1
 * @param fenceLine the page line of its opening fence, from 1
 * @param firstLine the page line of its first command line (the line after the fence)
 * @param text its lines as a reader copies them (the fence's indentation removed), each ending with
 *     a newline
 */
public record CommandBlock(int number, int fenceLine, int firstLine, String text) {

  /** The page line of line {@code n} (from 1) of the block. */
  public int pageLine(int n) {
    return firstLine + n - 1;
  }

  /** Line {@code n} (from 1) of the block, or an empty string when it has no such line. */
  public String line(int n) {
    String[] lines = text.split("\n", -1);
    return n >= 1 && n <= lines.length ? lines[n - 1] : "";
  }
}
