package dev.homeport.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the kube-apiserver, etcd and kubectl binaries for the pinned Kubernetes version.
 *
 * <p>In order: binaries already in kube-api-test's directory are used offline; otherwise, when Go
 * is installed, {@code e2e/bin/kube-binaries.sh} builds them from their Go modules into that
 * directory; otherwise kube-api-test downloads them itself (online mode), so a machine with
 * internet and no Go runs the same tests.
 */
public final class KubeBinaries {

  private static final Logger log = LoggerFactory.getLogger(KubeBinaries.class);

  /** Kubernetes version the tests run; the build passes it in from the parent POM. */
  public static final String DEFAULT_VERSION = "1.34.4";

  private static final List<String> NAMES = List.of("kube-apiserver", "etcd", "kubectl");

  private final String version;
  private final Path testDir;
  private final boolean offline;

  private KubeBinaries(String version, Path testDir, boolean offline) {
    this.version = version;
    this.testDir = testDir;
    this.offline = offline;
  }

  /** Resolves the binaries, building them with Go when they are missing and Go is present. */
  public static KubeBinaries resolve() {
    String version =
        LocalProcesses.setting("homeport.k8s.version", "HOMEPORT_K8S_VERSION", DEFAULT_VERSION);
    Path testDir =
        Paths.get(
            LocalProcesses.setting(
                "homeport.kubeapitest.dir",
                "KUBE_API_TEST_DIR",
                Paths.get(System.getProperty("user.home"), ".kubeapitest").toString()));
    KubeBinaries binaries = new KubeBinaries(version, testDir, true);
    if (binaries.present()) {
      return binaries;
    }
    Optional<Path> script = ProjectPaths.find("e2e/bin/kube-binaries.sh");
    if (script.isPresent() && Executables.find("go").isPresent()) {
      binaries.build(script.get());
      if (binaries.present()) {
        return binaries;
      }
    }
    log.warn(
        "No Kubernetes {} binaries in {} and none could be built with Go; letting kube-api-test"
            + " download them",
        version,
        binaries.directory());
    return new KubeBinaries(version, testDir, false);
  }

  public String version() {
    return version;
  }

  /** kube-api-test's own directory (it holds certificates and the {@code k8s/} binaries). */
  public Path testDir() {
    return testDir;
  }

  /** Whether kube-api-test must not download anything. */
  public boolean offline() {
    return offline;
  }

  /** The directory holding the three binaries for this version and platform. */
  public Path directory() {
    return testDir.resolve("k8s").resolve(version + "-" + platform());
  }

  public Path kubectl() {
    return directory().resolve("kubectl");
  }

  private boolean present() {
    return NAMES.stream().allMatch(name -> Files.isExecutable(directory().resolve(name)));
  }

  private void build(Path script) {
    log.info("Building Kubernetes {} binaries with {}", version, script);
    ProcessBuilder builder = new ProcessBuilder("bash", script.toString()).inheritIO();
    builder.environment().put("HOMEPORT_K8S_VERSION", version);
    builder.environment().put("KUBE_API_TEST_DIR", testDir.toString());
    builder.redirectOutput(ProcessBuilder.Redirect.DISCARD);
    try {
      int exit = builder.start().waitFor();
      if (exit != 0) {
        log.warn("{} exited with {}", script, exit);
      }
    } catch (IOException e) {
      log.warn("Could not run {}: {}", script, e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while building Kubernetes binaries", e);
    }
  }

  static String platform() {
    String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
    String osName = os.contains("mac") ? "darwin" : os.contains("win") ? "windows" : "linux";
    String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
    String archName = arch.equals("aarch64") || arch.equals("arm64") ? "arm64" : "amd64";
    return osName + "-" + archName;
  }
}
