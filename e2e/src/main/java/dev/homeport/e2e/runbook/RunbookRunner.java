package dev.homeport.e2e.runbook;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Runs a runbook page's command blocks in page order, as an engineer pasting them into one terminal
 * would: each block with bash under {@code set -euo pipefail}, starting with the variables and
 * functions the blocks before it left (so the page's first block sets the variables of the rest),
 * in the page's own work directory. A block that exits non-zero or runs longer than the block
 * time-out stops the run with a {@link RunbookFailure} naming the page, the block, the line, the
 * command and its output. Everything goes to {@code <output>/<page>.log} as it happens.
 *
 * <p>The commands find the tools given to {@link Builder#tool} first on PATH (kubectl, the {@code
 * kubectl-homeport} plugin, helm), then the usual PATH. Variables given to {@link #run} override
 * the page's defaults through the environment, as {@code : "${REGION:=mumbai}"} lets them.
 */
public final class RunbookRunner {

  /**
   * Runs one block: the state of the blocks before it, an ERR trap that records the failing line,
   * the block itself, then the state it leaves for the next. Bash's own variables, read-only ones
   * and the runner's ({@code __…}) are not carried over.
   */
  private static final String WRAPPER =
      """
      # Runs one command block of a runbook page (see RunbookRunner).
      set -euo pipefail
      if [ -f "$__RUNBOOK_STATE" ]; then source "$__RUNBOOK_STATE"; fi
      trap '__runbook_status=$?; echo "$LINENO $__runbook_status ${BASH_SOURCE[0]:-}" > "$__RUNBOOK_FAILED_AT"' ERR
      source "$__RUNBOOK_BLOCK"
      trap - ERR
      __runbook_save() {
        local __n __d __f
        for __n in $(compgen -v); do
          case $__n in
            __*|BASH|BASH_*|BASHOPTS|BASHPID|COLUMNS|COMP_*|DIRSTACK|EPOCHREALTIME|EPOCHSECONDS|\\
            EUID|FUNCNAME|GROUPS|HISTCMD|HOSTNAME|HOSTTYPE|IFS|LINENO|LINES|MACHTYPE|OLDPWD|\\
            OPTARG|OPTERR|OPTIND|OSTYPE|PIPESTATUS|PPID|PS1|PS2|PS4|PWD|RANDOM|SECONDS|SHELL|\\
            SHELLOPTS|SHLVL|SRANDOM|UID|_) continue ;;
          esac
          __d=$(declare -p "$__n" 2>/dev/null) || continue
          __f=${__d#declare -}
          __f=${__f%% *}
          case $__f in *r*) continue ;; esac
          printf '%s\\n' "$__d"
        done
        for __n in $(compgen -A function); do
          case $__n in __*) continue ;; esac
          declare -f "$__n"
        done
      }
      __runbook_save > "$__RUNBOOK_STATE.next"
      mv "$__RUNBOOK_STATE.next" "$__RUNBOOK_STATE"
      """;

  private static final int OUTPUT_TAIL_LINES = 60;

  private final Path output;
  private final Path bin;
  private final Map<String, String> environment;
  private final Duration blockTimeout;

  private RunbookRunner(Path output, Path bin, Map<String, String> environment, Duration timeout) {
    this.output = output;
    this.bin = bin;
    this.environment = Map.copyOf(environment);
    this.blockTimeout = timeout;
  }

  /** A runner writing logs and work directories under {@code output}. */
  public static Builder builder(Path output) {
    return new Builder(output);
  }

  /** How to build a runner. */
  public static final class Builder {
    private final Path output;
    private final Map<String, Path> tools = new LinkedHashMap<>();
    private final Map<String, String> environment = new LinkedHashMap<>();
    private Duration blockTimeout = Duration.ofMinutes(3);

    private Builder(Path output) {
      this.output = Objects.requireNonNull(output, "output");
    }

    /** Puts {@code binary} on the commands' PATH as {@code name} (a symbolic link). */
    public Builder tool(String name, Path binary) {
      if (!Files.isExecutable(binary)) {
        throw new IllegalArgumentException(
            "Runbook tool " + name + ": " + binary + " is not an executable file");
      }
      tools.put(name, binary.toAbsolutePath());
      return this;
    }

    /** An environment variable of every block (KUBECONFIG, JAVA_HOME …). */
    public Builder env(String name, String value) {
      environment.put(name, value);
      return this;
    }

    /** The longest a block may run (default 3 minutes). */
    public Builder blockTimeout(Duration timeout) {
      if (timeout.isZero() || timeout.isNegative()) {
        throw new IllegalArgumentException("block time-out must be positive, not " + timeout);
      }
      this.blockTimeout = timeout;
      return this;
    }

    public RunbookRunner build() {
      Path bin = output.resolve("bin");
      try {
        Files.createDirectories(bin);
        for (Map.Entry<String, Path> tool : tools.entrySet()) {
          Path link = bin.resolve(tool.getKey());
          Files.deleteIfExists(link);
          Files.createSymbolicLink(link, tool.getValue());
        }
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot set up the runbook tools in " + bin, e);
      }
      return new RunbookRunner(output, bin, environment, blockTimeout);
    }
  }

  /** What one block did. */
  public record BlockRun(CommandBlock block, Duration took, String output) {}

  /** What a page's run did: every block, in order, and the log they went to. */
  public record Result(RunbookPage page, Path log, List<BlockRun> blocks) {

    public Result {
      blocks = List.copyOf(blocks);
    }

    /** Everything the blocks printed, in order. */
    public String output() {
      StringBuilder all = new StringBuilder();
      blocks.forEach(b -> all.append(b.output()));
      return all.toString();
    }

    /** What block {@code number} (from 1) printed. */
    public String output(int number) {
      return blocks.get(number - 1).output();
    }

    /** Wall time of the whole page. */
    public Duration took() {
      return blocks.stream().map(BlockRun::took).reduce(Duration.ZERO, Duration::plus);
    }
  }

  /** The log of {@code page}'s last run. */
  public Path log(RunbookPage page) {
    return output.resolve(base(page) + ".log");
  }

  /**
   * Runs every command block of {@code page}.
   *
   * @param variables environment of every block: the page's variables, overriding its defaults
   * @param standIns test actions after the blocks they name; each must name exactly one block
   * @throws RunbookFailure at the first block that fails, times out or whose stand-in fails
   */
  public Result run(RunbookPage page, Map<String, String> variables, StandIn... standIns) {
    if (page.commands().isEmpty()) {
      throw new RunbookFailure(page.name(), 0, 0, page.name() + " has no command block", null);
    }
    Map<Integer, List<StandIn>> after = placeStandIns(page, List.of(standIns));
    Path log = log(page);
    Path work = output.resolve(base(page));
    Path control = work.resolve(".runbook");
    try {
      deleteTree(work);
      Files.createDirectories(control);
      Files.writeString(control.resolve("run-block.sh"), WRAPPER, StandardCharsets.UTF_8);
      Files.writeString(
          log,
          "Runbook " + page.name() + " (" + page.title() + "), " + Instant.now() + "\n",
          StandardCharsets.UTF_8);
      appendLog(log, "Variables: " + variables + "\n");
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot prepare " + work, e);
    }
    List<BlockRun> runs = new ArrayList<>();
    for (CommandBlock block : page.commands()) {
      runs.add(runBlock(page, block, variables, work, control, log));
      for (StandIn standIn : after.getOrDefault(block.number(), List.of())) {
        appendLog(log, "--- stand-in on the local system: " + standIn.what() + "\n");
        try {
          standIn.action().run();
        } catch (Exception | AssertionError e) {
          appendLog(log, "--- stand-in failed: " + e + "\n");
          throw new RunbookFailure(
              page.name(),
              block.number(),
              block.firstLine(),
              String.format(
                  "Runbook %s, command block %d of %d (line %d): the test's stand-in for it (%s)"
                      + " failed: %s%nLog: %s",
                  page.name(),
                  block.number(),
                  page.commands().size(),
                  block.firstLine(),
                  standIn.what(),
                  e,
                  log),
              e);
        }
      }
    }
    appendLog(log, "=== done\n");
    return new Result(page, log, runs);
  }

  private BlockRun runBlock(
      RunbookPage page,
      CommandBlock block,
      Map<String, String> variables,
      Path work,
      Path control,
      Path log) {
    Path script = control.resolve("block-" + block.number() + ".sh");
    Path failedAt = control.resolve("failed-at");
    long offset;
    try {
      Files.writeString(script, block.text(), StandardCharsets.UTF_8);
      Files.deleteIfExists(failedAt);
      appendLog(log, header(page, block));
      offset = Files.size(log);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write " + script, e);
    }
    ProcessBuilder builder =
        new ProcessBuilder("bash", control.resolve("run-block.sh").toString())
            .directory(work.toFile())
            .redirectErrorStream(true)
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    Map<String, String> env = builder.environment();
    env.putAll(environment);
    env.putAll(variables);
    env.put("PATH", bin + File.pathSeparator + env.getOrDefault("PATH", "/usr/bin:/bin"));
    env.put("__RUNBOOK_STATE", control.resolve("state.sh").toString());
    env.put("__RUNBOOK_BLOCK", script.toString());
    env.put("__RUNBOOK_FAILED_AT", failedAt.toString());
    long started = System.nanoTime();
    Process process;
    try {
      process = builder.start();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot start bash for " + page.name(), e);
    }
    boolean finished;
    try {
      finished = process.waitFor(blockTimeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      killTree(process);
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted running " + page.name(), e);
    }
    if (!finished) {
      killTree(process);
    }
    Duration took = Duration.ofNanos(System.nanoTime() - started);
    String out = readFrom(log, offset);
    int exit = finished ? process.exitValue() : -1;
    appendLog(
        log,
        (out.isEmpty() || out.endsWith("\n") ? "" : "\n")
            + (finished
                ? "--- exit " + exit + " after " + seconds(took) + "\n"
                : "--- timed out after " + seconds(took) + "; killed\n"));
    if (finished && exit == 0) {
      return new BlockRun(block, took, out);
    }
    int lineInBlock = failedLine(failedAt, script);
    if (lineInBlock == 0) {
      lineInBlock = lineInBashMessage(out, script);
    }
    int pageLine = lineInBlock > 0 ? block.pageLine(lineInBlock) : block.firstLine();
    String what =
        !finished
            ? "timed out after " + seconds(blockTimeout)
            : lineInBlock > 0
                ? "exit status " + exit + " at line " + pageLine
                : "exit status " + exit;
    StringBuilder message =
        new StringBuilder(
            String.format(
                "Runbook %s, command block %d of %d (line %d) failed: %s%n",
                page.name(), block.number(), page.commands().size(), block.firstLine(), what));
    if (lineInBlock > 0) {
      message.append("  > ").append(block.line(lineInBlock).strip()).append('\n');
    }
    message.append("Block:\n").append(indent(block.text()));
    message
        .append("Output (last ")
        .append(OUTPUT_TAIL_LINES)
        .append(" lines; the whole run is in ")
        .append(log)
        .append("):\n")
        .append(indent(tail(out)));
    throw new RunbookFailure(page.name(), block.number(), pageLine, message.toString(), null);
  }

  /** Assigns each stand-in to the one block containing its command; refuses any other count. */
  private static Map<Integer, List<StandIn>> placeStandIns(
      RunbookPage page, List<StandIn> standIns) {
    Map<Integer, List<StandIn>> after = new LinkedHashMap<>();
    for (StandIn standIn : standIns) {
      List<CommandBlock> matching =
          page.commands().stream().filter(b -> b.text().contains(standIn.command())).toList();
      if (matching.size() != 1) {
        throw new RunbookFailure(
            page.name(),
            0,
            0,
            String.format(
                "The test's stand-in '%s' follows the command '%s', which %s of %s's command"
                    + " blocks contain; it must name exactly one (has the page changed?)",
                standIn.what(),
                standIn.command(),
                matching.isEmpty()
                    ? "none"
                    : matching.size()
                        + " ("
                        + matching.stream().map(b -> "line " + b.firstLine()).toList()
                        + ")",
                page.name()),
            null);
      }
      after.computeIfAbsent(matching.get(0).number(), n -> new ArrayList<>()).add(standIn);
    }
    return after;
  }

  private static String header(RunbookPage page, CommandBlock block) {
    StringBuilder header =
        new StringBuilder(
            String.format(
                "%n=== %s, command block %d of %d (line %d), %s%n",
                page.name(),
                block.number(),
                page.commands().size(),
                block.firstLine(),
                Instant.now()));
    for (String line : block.text().split("\n")) {
      header.append("$ ").append(line).append('\n');
    }
    return header.append("--- output\n").toString();
  }

  /** The failing line within the block, from the ERR trap's record; 0 when not known. */
  private static int failedLine(Path failedAt, Path script) {
    try {
      if (!Files.exists(failedAt)) {
        return 0;
      }
      String[] record = Files.readString(failedAt, StandardCharsets.UTF_8).trim().split(" ", 3);
      if (record.length == 3 && record[2].equals(script.toString())) {
        return Integer.parseInt(record[0]);
      }
      return 0;
    } catch (IOException | NumberFormatException e) {
      return 0;
    }
  }

  /**
   * The block line in bash's own message about it ({@code …/block-2.sh: line 3: X: unset}), for
   * failures the ERR trap does not see, such as an expansion error that exits the shell; 0 if none.
   */
  private static int lineInBashMessage(String output, Path script) {
    Matcher matcher =
        Pattern.compile(Pattern.quote(script.toString()) + ": line (\\d+): ").matcher(output);
    int line = 0;
    while (matcher.find()) {
      line = Integer.parseInt(matcher.group(1));
    }
    return line;
  }

  private static void killTree(Process process) {
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
    try {
      process.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static String readFrom(Path log, long offset) {
    try {
      byte[] all = Files.readAllBytes(log);
      return new String(all, (int) offset, all.length - (int) offset, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + log, e);
    }
  }

  private static void appendLog(Path log, String text) {
    try {
      Files.writeString(log, text, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write " + log, e);
    }
  }

  private static String tail(String text) {
    List<String> lines = Arrays.asList(text.split("\n"));
    List<String> last = lines.subList(Math.max(0, lines.size() - OUTPUT_TAIL_LINES), lines.size());
    return String.join("\n", last) + "\n";
  }

  private static String indent(String text) {
    StringBuilder out = new StringBuilder();
    for (String line : text.split("\n")) {
      out.append("  ").append(line).append('\n');
    }
    return out.toString();
  }

  private static String seconds(Duration duration) {
    return String.format("%.1fs", duration.toMillis() / 1000.0);
  }

  /** {@code failback.md} → {@code failback}. */
  private static String base(RunbookPage page) {
    String name = page.name();
    return name.endsWith(".md") ? name.substring(0, name.length() - 3) : name;
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(path);
      }
    }
  }
}
