package dev.homeport.testkit;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Optional;

/** Finds commands the way a shell would, on PATH. */
final class Executables {

  private Executables() {}

  /**
   * The first executable named {@code command} on PATH, then in the system folders a login shell
   * would add (a test JVM may run with a trimmed PATH).
   */
  static Optional<Path> find(String command) {
    String path = System.getenv().getOrDefault("PATH", "");
    String searched = path + File.pathSeparator + "/usr/local/bin:/usr/bin:/usr/sbin:/bin";
    for (String dir : searched.split(File.pathSeparator)) {
      if (dir.isEmpty()) {
        continue;
      }
      Path candidate = Paths.get(dir, command);
      if (Files.isExecutable(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }
}
