package dev.homeport.testkit;

import io.fabric8.kubeapitest.KubeAPIServer;
import io.fabric8.kubeapitest.KubeAPIServerConfigBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real kube-apiserver backed by a real etcd, started from pinned binaries through
 * io.fabric8:kube-api-test. Start-up costs seconds, so tests share one through {@link
 * KubeApiServerExtension}.
 */
public final class TestKubeApiServer implements AutoCloseable {

  private final KubeBinaries binaries;
  private final KubeAPIServer server;
  private final Path kubeconfig;
  private final KubernetesClient client;

  private TestKubeApiServer(KubeBinaries binaries, KubeAPIServer server, Path kubeconfig) {
    this.binaries = binaries;
    this.server = server;
    this.kubeconfig = kubeconfig;
    this.client =
        new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(kubeConfigYaml())).build();
  }

  /** Starts etcd and kube-apiserver and waits until the API server is ready. */
  public static TestKubeApiServer start() {
    KubeBinaries binaries = KubeBinaries.resolve();
    KubeAPIServer server =
        new KubeAPIServer(
            KubeAPIServerConfigBuilder.anAPIServerConfig()
                .withTestDir(binaries.testDir().toString())
                .withApiServerVersion(binaries.version())
                .withOfflineMode(binaries.offline())
                .withUpdateKubeConfig(false)
                .withStartupTimeout(120_000)
                .build());
    server.start();
    try {
      Path kubeconfig = Files.createTempFile("homeport-kubeconfig-", ".yaml");
      kubeconfig.toFile().deleteOnExit();
      Files.writeString(kubeconfig, server.getKubeConfigYaml(), StandardCharsets.UTF_8);
      return new TestKubeApiServer(binaries, server, kubeconfig);
    } catch (IOException e) {
      server.stop();
      throw new UncheckedIOException(e);
    } catch (RuntimeException | Error e) {
      // Never leave etcd and kube-apiserver running behind a failed start.
      server.stop();
      throw e;
    }
  }

  public String kubeConfigYaml() {
    return server.getKubeConfigYaml();
  }

  /** A kubeconfig file pointing at this server, for kubectl and other processes. */
  public Path kubeconfig() {
    return kubeconfig;
  }

  /** A client for this server, owned by it (closed with it). */
  public KubernetesClient client() {
    return client;
  }

  /** The kubectl binary of the same version as the server. */
  public Path kubectlBinary() {
    return binaries.kubectl();
  }

  /** Runs the real kubectl of the same version against this server. */
  public CommandResult kubectl(String... args) {
    List<String> command = new ArrayList<>();
    command.add(binaries.kubectl().toString());
    command.add("--kubeconfig=" + kubeconfig);
    command.addAll(List.of(args));
    return CommandResult.run(command, ProjectPaths.root(), 120, TimeUnit.SECONDS);
  }

  /**
   * Applies Homeport's CRDs (the checkout's {@code crds/}) and waits until the API server serves
   * both kinds; fails with kubectl's output otherwise.
   */
  public void installCrds() {
    List<CommandResult> steps = new ArrayList<>();
    steps.add(kubectl("apply", "-f", ProjectPaths.root().resolve("crds").toString()));
    steps.add(
        kubectl(
            "wait",
            "--for=condition=Established",
            "--timeout=60s",
            "crd/regiontopologies.homeport.dev",
            "crd/homeassignments.homeport.dev"));
    for (CommandResult step : steps) {
      if (step.exitCode() != 0) {
        throw new IllegalStateException("Could not install the CRDs: " + step);
      }
    }
  }

  @Override
  public void close() {
    client.close();
    server.stop();
    try {
      Files.deleteIfExists(kubeconfig);
    } catch (IOException e) {
      // A leftover temp file is harmless; the JVM also deletes it on exit.
    }
  }
}
