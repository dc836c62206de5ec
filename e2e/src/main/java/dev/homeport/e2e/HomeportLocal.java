package dev.homeport.e2e;

import dev.homeport.crds.v1alpha1.RegionTopology;
import dev.homeport.crds.v1alpha1.spec.RegionSpec;
import dev.homeport.testkit.CommandResult;
import dev.homeport.testkit.ProjectPaths;
import dev.homeport.testkit.RedisServer;
import dev.homeport.testkit.TestKubeApiServer;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The local multi-region Homeport: a management cluster (real kube-apiserver + etcd) with the CRDs
 * and the example topology applied, and a real Redis for every region of that topology, all on
 * loopback. Ctrl-C stops everything; a run after a crash first removes what the crashed run left.
 */
@Command(
    name = "homeport-local",
    mixinStandardHelpOptions = true,
    description = "Runs a local multi-region Homeport on loopback.",
    subcommands = {LocalSystem.Up.class})
public final class LocalSystem implements Callable<Integer> {

  @Override
  public Integer call() {
    CommandLine.usage(this, System.out);
    return 2;
  }

  public static void main(String[] args) {
    System.exit(new CommandLine(new LocalSystem()).execute(args));
  }

  @Command(
      name = "up",
      mixinStandardHelpOptions = true,
      description = "Starts the local system, prints how to use it and waits for Ctrl-C.")
  static final class Up implements Callable<Integer> {

    @Option(
        names = "--smoke",
        description = "Stop again as soon as everything is ready and shown (for tests and CI).")
    boolean smoke;

    @Option(
        names = "--state-dir",
        description = "Where the kubeconfig and process ids go (default: .homeport-local/).")
    Path stateDir;

    private final PrintStream out;
    private final Deque<AutoCloseable> running = new ArrayDeque<>();

    Up() {
      this(System.out);
    }

    Up(PrintStream out) {
      this.out = out;
    }

    @Override
    public Integer call() throws Exception {
      Path root = ProjectPaths.root();
      Path state = stateDir != null ? stateDir : root.resolve(".homeport-local");
      Files.createDirectories(state);
      StaleProcesses stale = new StaleProcesses(state.resolve("pids"));
      stale.clean(out);
      if (!smoke) {
        Runtime.getRuntime()
            .addShutdownHook(
                new Thread(
                    () -> {
                      stopAll();
                      stale.forgetQuietly();
                      out.println("Stopped.");
                    },
                    "homeport-local-stop"));
      }
      try {
        start(root, state, stale);
        if (!smoke) {
          out.println("Press Ctrl-C to stop everything.");
          new CountDownLatch(1).await();
        }
        return 0;
      } finally {
        if (smoke) {
          stopAll();
          stale.forget();
          out.println("Stopped (smoke run).");
        }
      }
    }

    private void start(Path root, Path state, StaleProcesses stale) throws IOException {
      out.println("Starting the management cluster (kube-apiserver + etcd) ...");
      TestKubeApiServer api = TestKubeApiServer.start();
      running.push(api);
      stale.recordDescendants();

      Path kubeconfig = state.resolve("kubeconfig");
      Files.writeString(kubeconfig, api.kubeConfigYaml(), StandardCharsets.UTF_8);

      Path crds = root.resolve("crds");
      Path topologyExample = crds.resolve("examples/regiontopology-global.yaml");
      show(api.kubectl("apply", "-f", crds.toString()));
      show(
          api.kubectl(
              "wait",
              "--for=condition=Established",
              "--timeout=60s",
              "crd/regiontopologies.homeport.dev",
              "crd/homeassignments.homeport.dev"));
      show(api.kubectl("apply", "-f", topologyExample.toString()));

      RegionTopology topology =
          api.client().resources(RegionTopology.class).withName("global").require();
      out.println();
      out.println("Regions of RegionTopology/global:");
      for (RegionSpec region : topology.getSpec().getRegions()) {
        int port = URI.create(region.getRedis().getUrl()).getPort();
        RedisServer redis = RedisServer.startOn(port);
        running.push(redis);
        stale.record(redis.pid());
        out.printf(
            "  %-10s residency=%-3s redis=%s  front-door=%s (not yet started)%n",
            region.getName(), region.getResidency(), redis.uri(), region.getFrontDoor().getUrl());
      }

      out.println();
      out.println("$ kubectl get crds");
      show(api.kubectl("get", "crds"));
      out.println("$ kubectl get regiontopologies");
      show(api.kubectl("get", "regiontopologies"));

      out.println();
      out.println("Homeport local system is ready.");
      out.println("Not yet part of it: the operator, the front-doors and the sample backends.");
      out.println();
      out.println("Try:");
      out.println("  export KUBECONFIG=" + kubeconfig);
      out.println("  alias kubectl=" + api.kubectlBinary());
      out.println("  kubectl get regiontopologies global -o yaml");
      out.println("  kubectl apply -f " + crds.resolve("examples/homeassignment-tenant.yaml"));
      out.println("  kubectl get homeassignments");
    }

    private void show(CommandResult result) {
      out.print(result.stdout());
      if (!result.succeeded()) {
        throw new IllegalStateException("Bring-up step failed: " + result);
      }
    }

    private void stopAll() {
      while (!running.isEmpty()) {
        try {
          running.pop().close();
        } catch (Exception e) {
          System.err.println("While stopping: " + e);
        }
      }
    }
  }
}
