package dev.homeport.e2e;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.Set;

/**
 * Process ids of the servers a local run started, kept in a file so that the next run can stop what
 * a crashed run (killed JVM) left behind and holds the fixed ports.
 */
final class StaleProcesses {

  /** Only processes whose executable is one of these are ever stopped. */
  private static final Set<String> OURS = Set.of("redis-server", "etcd", "kube-apiserver");

  private final Path file;

  StaleProcesses(Path file) {
    this.file = file;
  }

  /** Stops the servers listed by an earlier run that are still alive, then forgets them. */
  void clean(PrintStream out) throws IOException {
    if (!Files.exists(file)) {
      return;
    }
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      if (line.isBlank()) {
        continue;
      }
      Optional<ProcessHandle> process = ProcessHandle.of(Long.parseLong(line.trim()));
      if (process.isPresent() && process.get().isAlive() && ours(process.get())) {
        out.println("Stopping " + describe(process.get()) + " left by an earlier run");
        process.get().destroyForcibly();
        process.get().onExit().join();
      }
    }
    forget();
  }

  /** Records every process this JVM has started so far. */
  void recordDescendants() {
    ProcessHandle.current()
        .descendants()
        .filter(StaleProcesses::ours)
        .forEach(p -> record(p.pid()));
  }

  void record(long pid) {
    try {
      Files.writeString(
          file,
          pid + "\n",
          StandardCharsets.UTF_8,
          StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  void forget() throws IOException {
    Files.deleteIfExists(file);
  }

  /** {@link #forget()} from a shutdown hook, where there is nobody left to tell. */
  void forgetQuietly() {
    try {
      forget();
    } catch (IOException e) {
      // The next run checks every listed process before stopping it, so a leftover file is safe.
    }
  }

  private static boolean ours(ProcessHandle process) {
    return process
        .info()
        .command()
        .map(command -> Path.of(command).getFileName().toString())
        .filter(OURS::contains)
        .isPresent();
  }

  private static String describe(ProcessHandle process) {
    return process.info().command().orElse("process") + " (pid " + process.pid() + ")";
  }
}
