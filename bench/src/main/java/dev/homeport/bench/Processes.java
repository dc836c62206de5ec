package dev.homeport.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The server processes one benchmark starts (backend, proxies, front-doors), each with its output
 * in a log file; closing stops them in reverse order, politely (SIGTERM) and then for good.
 */
public final class Processes implements AutoCloseable {

  private static final Duration STOP_WAIT = Duration.ofSeconds(15);

  private final Path logDir;
  private final Deque<Process> started = new ArrayDeque<>();
  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(1))
          .build();

  public Processes(Path logDir) {
    this.logDir = logDir;
    try {
      Files.createDirectories(logDir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Starts {@code command} with its output in {@code <name>.log}. */
  public Process start(String name, List<String> command) {
    try {
      Process process =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(logDir.resolve(name + ".log").toFile())
              .start();
      started.push(process);
      return process;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot start " + name + ": " + String.join(" ", command), e);
    }
  }

  /** The log of a process started as {@code name}, or "" when there is none: for errors. */
  public String log(String name) {
    try {
      Path file = logDir.resolve(name + ".log");
      return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
    } catch (IOException e) {
      return "";
    }
  }

  /**
   * Waits until {@code url} answers 200, polling every 100 ms for at most {@code timeout}.
   *
   * @throws IllegalStateException when it does not, with the process's log
   */
  public void awaitHttp(String name, Process process, String url, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            name + " exited with " + process.exitValue() + " before answering:\n" + log(name));
      }
      if (get(url) == 200) {
        return;
      }
      pause(Duration.ofMillis(100));
    }
    throw new IllegalStateException(
        name + " did not answer 200 at " + url + " within " + timeout + ":\n" + log(name));
  }

  /** One GET; the status, or -1 when nothing answered. */
  public int get(String url) {
    try {
      return http.send(
              HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2)).build(),
              HttpResponse.BodyHandlers.discarding())
          .statusCode();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted", e);
    }
  }

  /** Stops one process started here: SIGTERM, then SIGKILL after a grace period. */
  public void stop(Process process) {
    process.destroy();
    try {
      if (!process.waitFor(STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly().waitFor(STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    started.remove(process);
  }

  @Override
  public void close() {
    while (!started.isEmpty()) {
      stop(started.peek());
    }
  }

  /** A loopback port nothing listens on right now. */
  public static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Runs a short command to completion (at most a minute) and returns its output. */
  public static String output(List<String> command) {
    return output(command, Duration.ofMinutes(1));
  }

  /**
   * Runs a command to completion and returns its output; killed after {@code timeout}, with what it
   * printed so far returned.
   */
  public static String output(List<String> command, Duration timeout) {
    try {
      Path file = Files.createTempFile("homeport-bench-", ".out");
      try {
        Process process =
            new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(file.toFile())
                .start();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
          process.destroyForcibly().waitFor();
        }
        return Files.readString(file, StandardCharsets.UTF_8);
      } finally {
        Files.deleteIfExists(file);
      }
    } catch (IOException e) {
      return "";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted", e);
    }
  }

  /** A command as one line a POSIX shell runs as given: arguments quoted where needed. */
  public static String shell(List<String> command) {
    StringBuilder line = new StringBuilder();
    for (String arg : command) {
      if (line.length() > 0) {
        line.append(' ');
      }
      line.append(
          arg.matches("[A-Za-z0-9_./:=,@%+-]+") ? arg : "'" + arg.replace("'", "'\\''") + "'");
    }
    return line.toString();
  }

  static void pause(Duration duration) {
    try {
      Thread.sleep(duration.toMillis()); // polling a starting server, bounded by a deadline
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted", e);
    }
  }
}
