package dev.homeport.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** What the throwaway server processes of the test kit share: ports, logs, waiting. */
final class LocalProcesses {

  /** Free ports tried before giving up: another process may take one between probe and bind. */
  static final int PORT_ATTEMPTS = 5;

  private LocalProcesses() {}

  /** A loopback port nothing listens on right now. */
  static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A process's output file, or "" when it cannot be read: for error messages only. */
  static String read(Path file) {
    try {
      return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
    } catch (IOException e) {
      return "";
    }
  }

  /** A short pause between two looks at a starting process. */
  static void pause(String waitingFor) {
    try {
      Thread.sleep(20);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while waiting for " + waitingFor, e);
    }
  }

  /** A setting from a system property, else an environment variable, else the fallback. */
  static String setting(String property, String env, String fallback) {
    String value = System.getProperty(property);
    if (value == null || value.isBlank()) {
      value = System.getenv(env);
    }
    return value == null || value.isBlank() ? fallback : value;
  }
}
