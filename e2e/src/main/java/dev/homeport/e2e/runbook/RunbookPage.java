package dev.homeport.e2e.runbook;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A runbook page and its command blocks, read from Markdown by the conventions of
 * runbooks/README.md: every fenced block tagged {@code sh} is a command block, run in page order;
 * other tagged blocks ({@code text} for expected output, {@code yaml}, {@code json} …) are shown,
 * not run. Pure: {@link #parse} reads text only.
 *
 * <p>Fences are CommonMark's: three or more backticks or tildes, closed by a line of the same
 * character at least as long; a fence may be indented (inside a list item), and its lines lose that
 * indentation. Inside a block every line is content, so a longer fence can show an {@code sh} block
 * as an example without it being run. Refused, with the page and line: an unclosed fence, a fence
 * without a tag (is it a command or not?), shell tags other than {@code sh} ({@code bash}, {@code
 * console} … would look like commands and never be run), words after {@code sh}, an empty {@code
 * sh} block, and tabs before a fence.
 */
public record RunbookPage(String name, String title, List<CommandBlock> commands) {

  /** The tag of command blocks. */
  public static final String COMMAND_TAG = "sh";

  /** Tags that say "shell" but are not {@link #COMMAND_TAG}: refused, never silently skipped. */
  private static final Set<String> OTHER_SHELL_TAGS =
      Set.of("bash", "shell", "console", "zsh", "sh-session", "shell-session", "shellsession");

  private static final Pattern FENCE = Pattern.compile("^([ \\t]*)(`{3,}|~{3,})(.*)$");

  public RunbookPage {
    commands = List.copyOf(commands);
  }

  /** Reads and parses the page at {@code file}; its name is the file name. */
  public static RunbookPage load(Path file) {
    try {
      return parse(file.getFileName().toString(), Files.readString(file, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read runbook " + file, e);
    }
  }

  /**
   * Parses a page.
   *
   * @param name the page's name in messages, e.g. {@code failback.md}
   * @throws RunbookFormatException naming the page and line of what breaks the conventions
   */
  public static RunbookPage parse(String name, String markdown) {
    String[] lines = markdown.split("\r?\n", -1);
    List<CommandBlock> commands = new ArrayList<>();
    String title = null;
    int i = 0;
    while (i < lines.length) {
      String line = lines[i];
      Matcher open = FENCE.matcher(line);
      if (!open.matches()) {
        if (title == null && line.startsWith("# ")) {
          title = line.substring(2).trim();
        }
        i++;
        continue;
      }
      int fenceLine = i + 1;
      String indent = open.group(1);
      if (indent.contains("\t")) {
        throw new RunbookFormatException(
            name, fenceLine, "a fence indented with a tab; indent it with spaces");
      }
      String fence = open.group(2);
      String info = open.group(3).trim();
      if (fence.charAt(0) == '`' && info.contains("`")) {
        // Not a fence by CommonMark (a backtick in the info string): inline code, plain text.
        i++;
        continue;
      }
      int close = closingLine(lines, i + 1, fence);
      if (close < 0) {
        throw new RunbookFormatException(
            name,
            fenceLine,
            "the "
                + fence
                + (info.isEmpty() ? "" : info)
                + " block opened here is never closed; close it with "
                + fence);
      }
      String tag = info.isEmpty() ? "" : info.split("\\s+")[0];
      String lowerTag = tag.toLowerCase(Locale.ROOT);
      if (tag.isEmpty()) {
        throw new RunbookFormatException(
            name,
            fenceLine,
            "a block without a tag; tag it "
                + COMMAND_TAG
                + " (a command, run by e2e) or text (expected output, not run)");
      }
      if (OTHER_SHELL_TAGS.contains(lowerTag)
          || (lowerTag.equals(COMMAND_TAG) && !tag.equals(COMMAND_TAG))) {
        throw new RunbookFormatException(
            name,
            fenceLine,
            "a block tagged "
                + tag
                + "; tag commands "
                + COMMAND_TAG
                + " (they are run by e2e) and output text (not run)");
      }
      if (tag.equals(COMMAND_TAG)) {
        if (!info.equals(COMMAND_TAG)) {
          throw new RunbookFormatException(
              name,
              fenceLine,
              "'"
                  + info
                  + "' after the fence; a command block is tagged "
                  + COMMAND_TAG
                  + " alone");
        }
        StringBuilder text = new StringBuilder();
        boolean blank = true;
        for (int j = i + 1; j < close; j++) {
          String content = outdent(lines[j], indent.length());
          blank &= content.isBlank();
          text.append(content).append('\n');
        }
        if (blank) {
          throw new RunbookFormatException(
              name, fenceLine, "an empty " + COMMAND_TAG + " block; write its commands or drop it");
        }
        commands.add(
            new CommandBlock(commands.size() + 1, fenceLine, fenceLine + 1, text.toString()));
      }
      i = close + 1;
    }
    return new RunbookPage(name, title == null ? name : title, commands);
  }

  /** The index of the line closing {@code fence}, searching from {@code from}; -1 if none. */
  private static int closingLine(String[] lines, int from, String fence) {
    for (int j = from; j < lines.length; j++) {
      String line = lines[j].strip();
      if (line.length() >= fence.length() && line.chars().allMatch(c -> c == fence.charAt(0))) {
        return j;
      }
    }
    return -1;
  }

  /** Removes up to {@code width} leading spaces, as CommonMark does for an indented fence. */
  private static String outdent(String line, int width) {
    int n = 0;
    while (n < width && n < line.length() && line.charAt(n) == ' ') {
      n++;
    }
    return line.substring(n);
  }
}
