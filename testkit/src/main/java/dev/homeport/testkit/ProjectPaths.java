package dev.homeport.testkit;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Optional;

/** Locates files of the Homeport checkout from a test, whichever module's folder it runs in. */
public final class ProjectPaths {

  private ProjectPaths() {}

  /**
   * The checkout's root: the {@code homeport.projectRoot} property, else the nearest folder up with
   * a {@code crds/} module.
   */
  public static Path root() {
    String configured = System.getProperty("homeport.projectRoot");
    if (configured != null && !configured.isBlank()) {
      return Paths.get(configured).toAbsolutePath().normalize();
    }
    Path dir = Paths.get("").toAbsolutePath();
    for (Path candidate = dir; candidate != null; candidate = candidate.getParent()) {
      if (Files.isDirectory(candidate.resolve("crds"))
          && Files.isRegularFile(candidate.resolve("pom.xml"))) {
        return candidate;
      }
    }
    throw new IllegalStateException(
        "Cannot find the Homeport checkout above " + dir + "; set -Dhomeport.projectRoot=<path>");
  }

  /** A file of the checkout, when it exists. */
  public static Optional<Path> find(String relative) {
    try {
      Path path = root().resolve(relative);
      return Files.exists(path) ? Optional.of(path) : Optional.empty();
    } catch (IllegalStateException e) {
      return Optional.empty();
    }
  }
}
