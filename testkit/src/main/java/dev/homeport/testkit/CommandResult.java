package dev.homeport.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The outcome of a finished command: exit code and what it printed. */
public record CommandResult(List<String> command, int exitCode, String stdout, String stderr) {

  /** Runs a command to completion in {@code workDir}; a command past its time limit is killed. */
  public static CommandResult run(List<String> command, Path workDir, long timeout, TimeUnit unit) {
    return run(command, workDir, Map.of(), timeout, unit);
  }

  /**
   * Runs a command to completion in {@code workDir} with {@code environment} added to this
   * process's; a command past its time limit is killed.
   */
  public static CommandResult run(
      List<String> command,
      Path workDir,
      Map<String, String> environment,
      long timeout,
      TimeUnit unit) {
    try {
      Path out = Files.createTempFile("homeport-cmd-", ".out");
      Path err = Files.createTempFile("homeport-cmd-", ".err");
      try {
        ProcessBuilder builder =
            new ProcessBuilder(command)
                .directory(workDir.toFile())
                .redirectOutput(out.toFile())
                .redirectError(err.toFile());
        builder.environment().putAll(environment);
        Process process = builder.start();
        if (!process.waitFor(timeout, unit)) {
          process.destroyForcibly().waitFor();
          throw new IllegalStateException(
              "Command did not finish within " + timeout + " " + unit + ": " + command);
        }
        return new CommandResult(
            command,
            process.exitValue(),
            Files.readString(out, StandardCharsets.UTF_8),
            Files.readString(err, StandardCharsets.UTF_8));
      } finally {
        Files.deleteIfExists(out);
        Files.deleteIfExists(err);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while running " + command, e);
    }
  }

  public boolean succeeded() {
    return exitCode == 0;
  }

  /** Everything printed, for assertion messages. */
  public String output() {
    return stdout + stderr;
  }

  @Override
  public String toString() {
    return String.join(" ", command) + " → exit " + exitCode + "\n" + output();
  }
}
