package dev.homeport.e2e;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * Process ids of the servers a local run started, kept in a file so that the next run can stop what
 * a crashed run (killed JVM) left behind and holds the fixed ports.
 */
final class StaleProcesses {

  /** Only processes whose executable is one of these are ever stopped. */
  private static final Set<String> OURS =
      Set.of("redis-server", "redis-check-rdb", "etcd", "kube-apiserver", "toxiproxy-server");

  /** The cached Toxiproxy build carries its version: toxiproxy-server-2.5.0. */
  private static final String TOXIPROXY_BUILD = "toxiproxy-server-";

  /** Java processes are stopped only when they run one of these jars. */
  private static final List<String> OUR_JARS =
      List.of("homeport-frontdoor.jar", "homeport-operator.jar");

  private final Path file;

  StaleProcesses(Path file) {
    this.file = file;
  }

  /** Stops the servers listed by an earlier run that are still alive, then forgets them. */
  void clean(PrintStream out) throws IOException {
    if (!Files.exists(file)) {
      return;
    }
    List<ProcessHandle> stopping = new ArrayList<>();
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      if (line.isBlank()) {
        continue;
      }
      Optional<ProcessHandle> process = ProcessHandle.of(Long.parseLong(line.trim()));
      if (process.isPresent() && process.get().isAlive() && ours(process.get())) {
        out.println("Stopping " + describe(process.get()) + " left by an earlier run");
        process.get().destroyForcibly();
        stopping.add(process.get());
      }
    }
    for (ProcessHandle process : stopping) {
      try {
        process.onExit().get(10, TimeUnit.SECONDS);
      } catch (ExecutionException | TimeoutException e) {
        // Killed but not reaped (no init to reap orphans): its ports are free all the same.
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("Interrupted while stopping stale servers", e);
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
    // Debian's redis-server is a link to redis-check-rdb, and /proc reports the link's target.
    ProcessHandle.Info info = process.info();
    String commandLine = info.commandLine().orElse("");
    if (OUR_JARS.stream().anyMatch(commandLine::contains)) {
      return true;
    }
    return Stream.of(info.command(), info.commandLine())
        .flatMap(Optional::stream)
        .map(command -> command.split(" ", 2)[0])
        .filter(first -> !first.isEmpty())
        .map(first -> Path.of(first).getFileName().toString())
        .anyMatch(name -> OURS.contains(name) || name.startsWith(TOXIPROXY_BUILD));
  }

  private static String describe(ProcessHandle process) {
    return process.info().command().orElse("process") + " (pid " + process.pid() + ")";
  }
}
