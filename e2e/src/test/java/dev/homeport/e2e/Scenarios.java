package dev.homeport.e2e;

import dev.homeport.testkit.ProjectPaths;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What the end-to-end scenarios share: the local system with failover timings for tests. */
final class Scenarios {

  private Scenarios() {}

  /** The local system for one scenario class, its state and logs under e2e/target/. */
  static LocalSystem start(String scenario) {
    Path state = ProjectPaths.root().resolve("e2e/target/local-" + scenario);
    return LocalSystem.start(LocalSystem.Options.scenario(state, LocalSystem.fastFailover()));
  }

  /** Front-door URLs of the given regions, where clients enter. */
  static Map<String, URI> entries(LocalSystem system, List<String> regions) {
    Map<String, URI> entries = new LinkedHashMap<>();
    regions.forEach(region -> entries.put(region, system.region(region).url()));
    return entries;
  }

  static double millis(Duration duration) {
    return duration.toNanos() / 1e6;
  }
}
