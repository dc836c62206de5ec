package dev.homeport.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A Homeport service (a front-door or the operator) run from its jar as a process of its own, the
 * way it runs in a region: it can be stopped gracefully (SIGTERM), killed (SIGKILL) and started
 * again with the same arguments. Output goes to a log file.
 */
public final class ServiceProcess implements AutoCloseable {

  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

  private final String name;
  private final List<String> command;
  private final Map<String, String> environment;
  private final Path log;
  private final URI readiness;
  private Process process;

  private ServiceProcess(
      String name, List<String> command, Map<String, String> environment, Path log, URI readiness) {
    this.name = name;
    this.command = command;
    this.environment = environment;
    this.log = log;
    this.readiness = readiness;
  }

  /**
   * Starts {@code java -jar jar args…} with {@code environment} added to this JVM's, appending its
   * output to {@code log}; {@code readiness} is the URL that answers 200 once it is ready.
   */
  public static ServiceProcess start(
      String name,
      Path jar,
      List<String> args,
      Map<String, String> environment,
      Path log,
      URI readiness) {
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(
          name + ": " + jar + " is missing; build it with mvn -pl e2e -am package -DskipTests");
    }
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-XX:+UseSerialGC");
    command.add("-Xmx384m");
    command.add("-jar");
    command.add(jar.toString());
    command.addAll(args);
    ServiceProcess service =
        new ServiceProcess(name, List.copyOf(command), Map.copyOf(environment), log, readiness);
    service.launch();
    return service;
  }

  private void launch() {
    try {
      Files.createDirectories(log.getParent());
      ProcessBuilder builder =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
      builder.environment().putAll(environment);
      process = builder.start();
    } catch (IOException e) {
      throw new UncheckedIOException(name + ": could not start " + command, e);
    }
  }

  public String name() {
    return name;
  }

  public long pid() {
    return process.pid();
  }

  public Path log() {
    return log;
  }

  public boolean isAlive() {
    return process != null && process.isAlive();
  }

  /** Whether its readiness URL answers 200 now. */
  public boolean isReady() {
    if (!isAlive()) {
      return false;
    }
    try {
      return HTTP.send(
                  HttpRequest.newBuilder(readiness).timeout(Duration.ofSeconds(2)).build(),
                  HttpResponse.BodyHandlers.discarding())
              .statusCode()
          == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Waits until it is ready; fails naming the log if it exits or takes longer than {@code max}. */
  public void awaitReady(Duration max) {
    long deadline = System.nanoTime() + max.toNanos();
    while (!isReady()) {
      if (!isAlive()) {
        throw new IllegalStateException(
            name + " exited with code " + process.exitValue() + " while starting; see " + log);
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(name + " was not ready within " + max + "; see " + log);
      }
      try {
        Thread.sleep(100); // polling a readiness endpoint
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("Interrupted waiting for " + name, e);
      }
    }
  }

  /** SIGKILL, as a crashed machine would: nothing is flushed or handed over. */
  public void kill() {
    if (isAlive()) {
      process.destroyForcibly();
      waitForExit(Duration.ofSeconds(10));
    }
  }

  /** SIGTERM and wait for the graceful stop; SIGKILL after {@code grace}. */
  public void stop(Duration grace) {
    if (isAlive()) {
      process.destroy();
      if (!waitForExit(grace)) {
        kill();
      }
    }
  }

  /** Starts it again with the same command, environment and log. */
  public void restart() {
    if (isAlive()) {
      throw new IllegalStateException(name + " is still running (pid " + pid() + ")");
    }
    launch();
  }

  private boolean waitForExit(Duration max) {
    try {
      return process.waitFor(max.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  @Override
  public void close() {
    stop(Duration.ofSeconds(15));
  }
}
