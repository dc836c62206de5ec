package dev.homeport.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A throwaway {@code redis-server} process on a free loopback port, with no persistence. Tests can
 * stop it (graceful), kill it (crash) and start it again on the same port, which is how Redis
 * outages are rehearsed.
 */
public final class RedisServer implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(RedisServer.class);
  private static final String READY = "Ready to accept connections";
  private static final Duration START_TIMEOUT = Duration.ofSeconds(15);

  private final Path executable;
  private final Path workDir;
  private final int port;
  private Process process;

  private RedisServer(Path executable, Path workDir, int port) {
    this.executable = executable;
    this.workDir = workDir;
    this.port = port;
  }

  /** Starts a fresh server on a free loopback port. */
  public static RedisServer start() {
    Path executable = executable();
    IllegalStateException last = null;
    for (int attempt = 0; attempt < LocalProcesses.PORT_ATTEMPTS; attempt++) {
      Path workDir;
      try {
        workDir = Files.createTempDirectory("homeport-redis-");
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      RedisServer server = new RedisServer(executable, workDir, LocalProcesses.freePort());
      try {
        server.launch();
        return server;
      } catch (IllegalStateException e) {
        // Another process may have taken the port between probing and binding; try another.
        last = e;
        server.close();
      }
    }
    throw last;
  }

  /**
   * Starts a fresh server on a given loopback port, for set-ups whose addresses are fixed (the
   * local multi-region system). Fails with the server's own message when the port is taken.
   */
  public static RedisServer startOn(int port) {
    try {
      RedisServer server =
          new RedisServer(executable(), Files.createTempDirectory("homeport-redis-"), port);
      try {
        server.launch();
        return server;
      } catch (IllegalStateException e) {
        server.close();
        throw e;
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Process id of the running server, so a supervisor can clean up after a crash. */
  public long pid() {
    if (process == null) {
      throw new IllegalStateException("redis-server on port " + port + " is not running");
    }
    return process.pid();
  }

  /** The redis-server binary: {@code HOMEPORT_REDIS_SERVER}, else the one on PATH. */
  public static Path executable() {
    String configured = System.getenv("HOMEPORT_REDIS_SERVER");
    if (configured != null && !configured.isBlank()) {
      return Paths.get(configured);
    }
    return Executables.find("redis-server")
        .orElseThrow(
            () ->
                new IllegalStateException(
                    "redis-server is not installed: install it (Debian: apt-get install"
                        + " redis-server) or set HOMEPORT_REDIS_SERVER to its path"));
  }

  public int port() {
    return port;
  }

  public String host() {
    return "127.0.0.1";
  }

  /** A Lettuce/redis-cli style URI for this server. */
  public String uri() {
    return "redis://" + host() + ":" + port;
  }

  public boolean isRunning() {
    return process != null && process.isAlive();
  }

  /** Stops the server as an operator would (SIGTERM), waiting for it to exit. */
  public void stop() {
    if (process != null) {
      process.destroy();
      await(process);
      process = null;
    }
  }

  /** Kills the server abruptly (SIGKILL), as a crash would. */
  public void kill() {
    if (process != null) {
      process.destroyForcibly();
      await(process);
      process = null;
    }
  }

  /** Starts the server again on the same port after {@link #stop()} or {@link #kill()}. */
  public void restart() {
    if (isRunning()) {
      throw new IllegalStateException("redis-server on port " + port + " is still running");
    }
    launch();
  }

  @Override
  public void close() {
    kill();
    try (Stream<Path> files = Files.walk(workDir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      log.debug("Could not remove {}: {}", workDir, e.toString());
    }
  }

  private void launch() {
    Path logFile = workDir.resolve("redis.log");
    List<String> command =
        List.of(
            executable.toString(),
            "--port",
            Integer.toString(port),
            "--bind",
            host(),
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            workDir.toString(),
            "--daemonize",
            "no",
            "--logfile",
            "");
    try {
      Files.deleteIfExists(logFile);
      process =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(logFile.toFile())
              .start();
    } catch (IOException e) {
      throw new UncheckedIOException("Could not start " + executable, e);
    }
    Instant deadline = Instant.now().plus(START_TIMEOUT);
    while (Instant.now().isBefore(deadline)) {
      String output = LocalProcesses.read(logFile);
      if (output.contains(READY)) {
        log.debug("redis-server ready on {}", uri());
        return;
      }
      if (!process.isAlive()) {
        process = null;
        throw new IllegalStateException(
            "redis-server exited while starting on port " + port + ":\n" + output);
      }
      LocalProcesses.pause("redis-server");
    }
    process.destroyForcibly();
    process = null;
    throw new IllegalStateException(
        "redis-server did not report '" + READY + "' within " + START_TIMEOUT);
  }

  private static void await(Process process) {
    try {
      process.waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
