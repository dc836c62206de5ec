package dev.homeport.e2e;

import dev.homeport.testkit.ProjectPaths;
import java.io.PrintStream;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The README's bring-up command: runs a {@link LocalSystem} with the example's addresses, shows a
 * request for a key of each region served by its home, prints how to use it and waits for Ctrl-C. A
 * run after a crash first stops what the crashed run left.
 */
@Command(
    name = "homeport-local",
    mixinStandardHelpOptions = true,
    description = "Runs a local multi-region Homeport on loopback.",
    subcommands = {HomeportLocal.Up.class})
public final class HomeportLocal implements Callable<Integer> {

  @Override
  public Integer call() {
    CommandLine.usage(this, System.out);
    return 2;
  }

  public static void main(String[] args) {
    System.exit(new CommandLine(new HomeportLocal()).execute(args));
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
        description = "Where the kubeconfig, logs and process ids go (default: .homeport-local/).")
    Path stateDir;

    private final PrintStream out;

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
      LocalSystem system = LocalSystem.start(LocalSystem.Options.bringUp(state, out));
      if (!smoke) {
        Runtime.getRuntime()
            .addShutdownHook(
                new Thread(
                    () -> {
                      system.close();
                      out.println("Stopped.");
                    },
                    "homeport-local-stop"));
      }
      try {
        show(system, root);
        if (!smoke) {
          out.println("Press Ctrl-C to stop everything.");
          new CountDownLatch(1).await();
        }
        return 0;
      } finally {
        if (smoke) {
          system.close();
          out.println("Stopped (smoke run).");
        }
      }
    }

    private void show(LocalSystem system, Path root) {
      out.println();
      out.println("$ kubectl get regiontopologies");
      out.print(system.kubectl("get", "regiontopologies").stdout());
      out.println();
      out.println("Regions:");
      for (LocalSystem.Region region : system.regions().values()) {
        out.printf(
            "  %-10s front-door %s (admin %s)  redis %s  application %s%n",
            region.name(), region.url(), region.adminUrl(), region.redisUri(), region.backendUrl());
      }
      out.println();
      out.println("Sticky routing: a write for a key of each region, sent to every front-door:");
      for (String home : system.regionNames()) {
        String key = system.keysHomedIn(home, "user-", 1).get(0);
        for (String entry : system.regionNames()) {
          HttpResponse<String> response = system.write(entry, key, "show-" + entry + "-" + key);
          out.printf(
              "  POST %s/orders  X-User-Id: %-8s -> %d served by %-9s (%s)%n",
              system.region(entry).url(),
              key,
              response.statusCode(),
              response.headers().firstValue("X-Homeport-Region").orElse("?"),
              response.headers().firstValue("X-Homeport-Served").orElse("?"));
        }
      }
      out.println();
      out.println("Homeport local system is ready.");
      out.println();
      out.println("Try:");
      out.println("  export KUBECONFIG=" + system.kubeconfig());
      // kubectl finds the plugin's launcher on the PATH, next to the pinned kubectl.
      out.println(
          "  export PATH="
              + root.resolve("cli/target")
              + ":"
              + system.kubectlBinary().getParent()
              + ":$PATH");
      out.println("  kubectl get regiontopologies global -o yaml");
      out.println("  kubectl homeport status");
      out.println("  kubectl homeport drill start mumbai --hold 30s --wait 5m");
      out.println("  kubectl homeport drill report <id printed above> --format md");
      String key = system.keysHomedIn("mumbai", "user-", 1).get(0);
      out.println(
          "  curl -si -X POST -H 'X-User-Id: "
              + key
              + "' -H 'X-Write-Id: try-1' "
              + system.region("frankfurt").url()
              + "/orders");
      out.println("  kubectl apply -f " + root.resolve("crds/examples/homeassignment-tenant.yaml"));
      out.println("  kubectl get homeassignments -w");
      out.println("Logs: " + system.stateDir().resolve("logs"));
    }
  }
}
