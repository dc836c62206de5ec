package dev.homeport.e2e.runbook;

/** A runbook page that breaks the conventions of runbooks/README.md, with the page and line. */
public final class RunbookFormatException extends IllegalArgumentException {

  private static final long serialVersionUID = 1L;

  RunbookFormatException(String page, int line, String problem) {
    super(page + ":" + line + ": " + problem);
  }
}
