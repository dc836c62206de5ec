package dev.homeport.testkit;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * Where the scripts in {@code e2e/bin} cache the test tools they build from Go modules: {@code
 * $XDG_CACHE_HOME/homeport/bin}, else {@code ~/.cache/homeport/bin}.
 */
public final class ToolCache {

  private ToolCache() {}

  /** The cached binary {@code fileName} (e.g. {@code helm-3.22.0}); it may not exist. */
  public static Path binary(String fileName) {
    String cacheHome = System.getenv("XDG_CACHE_HOME");
    Path cache =
        cacheHome == null || cacheHome.isBlank()
            ? Paths.get(System.getProperty("user.home"), ".cache")
            : Paths.get(cacheHome);
    return cache.resolve("homeport").resolve("bin").resolve(fileName);
  }

  /**
   * The pinned helm: {@code HOMEPORT_HELM}, else the binary {@code e2e/bin/helm.sh} caches at the
   * version the build pins ({@code homeport.helm.version}), else helm on PATH.
   *
   * @throws IllegalStateException saying how to get one when there is none
   */
  public static Path helm() {
    String configured = System.getenv("HOMEPORT_HELM");
    if (configured != null && !configured.isBlank()) {
      return Paths.get(configured);
    }
    Path cached = binary("helm-" + System.getProperty("homeport.helm.version", "3.22.0"));
    if (Files.isExecutable(cached)) {
      return cached;
    }
    return Executables.find("helm")
        .orElseThrow(
            () ->
                new IllegalStateException(
                    "No helm at "
                        + cached
                        + " nor on PATH: run e2e/bin/helm.sh (or bash e2e/bin/setup.sh), or set"
                        + " HOMEPORT_HELM"));
  }
}
