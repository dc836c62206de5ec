package dev.homeport.operator;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.homeport.operator.drill.FrontDoorMetricsReader;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Runs the operator until SIGTERM, with health, readiness and metrics on one HTTP port. */
@Command(
    name = "homeport-operator",
    mixinStandardHelpOptions = true,
    description = "Reconciles RegionTopology resources: probes, leases, failover and failback.")
public final class Main implements Callable<Integer> {

  private static final Logger log = LoggerFactory.getLogger(Main.class);

  @Option(
      names = "--health-port",
      defaultValue = "${env:HOMEPORT_HEALTH_PORT:-8080}",
      description = "Port of /healthz, /readyz and /metrics (default: ${DEFAULT-VALUE}).")
  int healthPort;

  @Option(
      names = "--health-host",
      defaultValue = "${env:HOMEPORT_HEALTH_HOST:-0.0.0.0}",
      description = "Address the health port listens on (default: ${DEFAULT-VALUE}).")
  String healthHost;

  @Option(
      names = "--leader-election-namespace",
      defaultValue = "${env:POD_NAMESPACE}",
      description =
          "Namespace of the leader-election Lease; without it the operator runs unelected (one"
              + " replica only).")
  String leaseNamespace;

  @Option(
      names = "--leader-election-lease",
      defaultValue = "homeport-operator",
      description = "Name of the leader-election Lease (default: ${DEFAULT-VALUE}).")
  String leaseName;

  // From the environment: a token on the command line is visible to every process on the host.
  // The default is deliberately not printed by --help.
  @Option(
      names = "--frontdoor-admin-token",
      defaultValue = "${env:" + FrontDoorMetricsReader.TOKEN_VARIABLE + "}",
      description =
          "The front-doors' admin token, with which drills read every region's front-door"
              + " /metrics for spec.drillPolicy.abortIf; without it drills judge their synthetic"
              + " requests only. Set it through the environment variable "
              + FrontDoorMetricsReader.TOKEN_VARIABLE
              + ".")
  String frontDoorAdminToken;

  public static void main(String[] args) {
    System.exit(new CommandLine(new Main()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    if (healthPort < 0 || healthPort > 65535) {
      System.err.println("--health-port " + healthPort + " is not a port; use 0-65535");
      return 2;
    }
    KubernetesClient client = new KubernetesClientBuilder().build();
    HomeportOperator operator =
        new HomeportOperator(
            client, leaseName, blankToNull(leaseNamespace), blankToNull(frontDoorAdminToken));
    HttpServer health = HttpServer.create(new InetSocketAddress(healthHost, healthPort), 0);
    health.createContext("/healthz", exchange -> answer(exchange, 200, "ok"));
    health.createContext(
        "/readyz",
        exchange ->
            answer(
                exchange, operator.ready() ? 200 : 503, operator.ready() ? "ready" : "not ready"));
    health.createContext(
        "/metrics", exchange -> answer(exchange, 200, operator.registry().scrape()));
    health.start();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  log.info("Stopping the operator");
                  operator.close();
                  health.stop(1);
                  client.close();
                  stopped.countDown();
                },
                "homeport-operator-shutdown"));
    operator.start();
    log.info(
        "Homeport operator started; health on {}:{}; leader election {}; drills {}",
        healthHost,
        health.getAddress().getPort(),
        leaseNamespace == null || leaseNamespace.isBlank()
            ? "off"
            : "Lease " + leaseNamespace + "/" + leaseName,
        blankToNull(frontDoorAdminToken) == null
            ? "judge synthetic requests only (no " + FrontDoorMetricsReader.TOKEN_VARIABLE + ")"
            : "also judge the front-doors' metrics");
    stopped.await();
    return 0;
  }

  private static String blankToNull(String text) {
    return text == null || text.isBlank() ? null : text;
  }

  private static void answer(HttpExchange exchange, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }
}
