package dev.homeport.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.homeport.crds.v1alpha1.RegionTopology;
import dev.homeport.testkit.CommandResult;
import dev.homeport.testkit.ProjectPaths;
import dev.homeport.testkit.TestKubeApiServer;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What the plugin's ITs share: the CRDs installed in the test API server, three-region topologies
 * under unique names, the operator's part played by writing status, and the plugin run in process
 * against the server's kubeconfig.
 */
final class PluginFixture {

  /** The time of the plugin's clock in process: status timestamps are written relative to it. */
  static final Instant NOW = Instant.parse("2026-04-12T10:30:00Z");

  private static final AtomicInteger NAMES = new AtomicInteger();

  final TestKubeApiServer server;
  final KubernetesClient client;

  /** What one run of the plugin printed and returned. */
  record Run(int exitCode, String out, String err) {
    String output() {
      return out + err;
    }

    @Override
    public String toString() {
      return "exit " + exitCode + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
  }

  PluginFixture(TestKubeApiServer server) {
    this.server = server;
    this.client = server.client();
    expectSuccess(server.kubectl("apply", "-f", crds()));
    expectSuccess(
        server.kubectl(
            "wait",
            "--for=condition=Established",
            "--timeout=60s",
            "crd/regiontopologies.homeport.dev",
            "crd/homeassignments.homeport.dev"));
  }

  /** The CRD manifests: {@code crds/} of the checkout, or the folder {@code homeport.crds.dir}. */
  private static String crds() {
    String dir = System.getProperty("homeport.crds.dir");
    return dir != null && !dir.isBlank() ? dir : ProjectPaths.root().resolve("crds").toString();
  }

  static void expectSuccess(CommandResult result) {
    assertThat(result.succeeded()).as(result.toString()).isTrue();
  }

  /** Runs the plugin in process with the test server's kubeconfig, as {@code kubectl homeport}. */
  Run run(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.add("--kubeconfig=" + server.kubeconfig());
    return runRaw(all.toArray(String[]::new));
  }

  /** Runs the plugin in process with exactly these arguments. */
  static Run runRaw(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    return new Run(execute(out, err, args), out.toString(), err.toString());
  }

  private static int execute(StringWriter out, StringWriter err, String... args) {
    var commandLine = Main.commandLine(new Main(Clock.fixed(NOW, ZoneOffset.UTC)));
    commandLine.setOut(new PrintWriter(out, true));
    commandLine.setErr(new PrintWriter(err, true));
    return commandLine.execute(args);
  }

  /** A run on another thread, for {@code --wait} while the test plays the operator. */
  static final class Running {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();
    private final CompletableFuture<Integer> exitCode;

    Running(String... args) {
      exitCode = CompletableFuture.supplyAsync(() -> execute(out, err, args));
    }

    /** What it has printed so far. */
    String out() {
      return out.toString();
    }

    /** Waits for it to end. */
    Run result() throws Exception {
      int code = exitCode.get(60, TimeUnit.SECONDS);
      return new Run(code, out.toString(), err.toString());
    }
  }

  /** Starts the plugin on another thread with the test server's kubeconfig. */
  Running start(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.add("--kubeconfig=" + server.kubeconfig());
    return new Running(all.toArray(String[]::new));
  }

  /** Creates a RegionTopology of mumbai, frankfurt and singapore under a new name. */
  String topology(String annotationsYaml) {
    String name = "plugin-" + NAMES.incrementAndGet();
    String yaml =
        """
        apiVersion: homeport.dev/v1alpha1
        kind: RegionTopology
        metadata:
          name: %s
          annotations: %s
        spec:
          regions:
            - name: mumbai
              residency: in
              acceptsResidency: [sg]
              frontDoor: {url: "http://127.0.0.1:18081", adminUrl: "http://127.0.0.1:19081"}
              redis: {url: "redis://127.0.0.1:16381"}
              failoverPeers: [singapore]
            - name: frankfurt
              residency: eu
              acceptsResidency: [sg]
              frontDoor: {url: "http://127.0.0.1:18082", adminUrl: "http://127.0.0.1:19082"}
              redis: {url: "redis://127.0.0.1:16382"}
              failoverPeers: [singapore]
            - name: singapore
              residency: sg
              acceptsResidency: [in, eu]
              frontDoor: {url: "http://127.0.0.1:18083", adminUrl: "http://127.0.0.1:19083"}
              redis: {url: "redis://127.0.0.1:16383"}
              failoverPeers: [mumbai, frankfurt]
          failover:
            mode: Manual
            failback:
              mode: Manual
              stableFor: 2m
        """
            .formatted(name, annotationsYaml == null ? "{}" : annotationsYaml);
    RegionTopology topology =
        client.getKubernetesSerialization().unmarshal(yaml, RegionTopology.class);
    client.resource(topology).create();
    return name;
  }

  /** Writes status the way the operator does, through the status subresource (merge patch). */
  void patchStatus(String topology, Map<String, Object> status) {
    client
        .genericKubernetesResources("homeport.dev/v1alpha1", "RegionTopology")
        .withName(topology)
        .subresource("status")
        .patch(
            PatchContext.of(PatchType.JSON_MERGE),
            client.getKubernetesSerialization().asJson(Map.of("status", status)));
  }

  /** Writes a HomeAssignment's status the way the operator does. */
  void patchAssignmentStatus(String namespace, String name, Map<String, Object> status) {
    client
        .genericKubernetesResources("homeport.dev/v1alpha1", "HomeAssignment")
        .inNamespace(namespace)
        .withName(name)
        .subresource("status")
        .patch(
            PatchContext.of(PatchType.JSON_MERGE),
            client.getKubernetesSerialization().asJson(Map.of("status", status)));
  }

  /** Creates a namespace under a new name. */
  String namespace() {
    String name = "plugin-ns-" + NAMES.incrementAndGet();
    client
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build())
        .create();
    return name;
  }

  GenericKubernetesResource read(String topology) {
    return client
        .genericKubernetesResources("homeport.dev/v1alpha1", "RegionTopology")
        .withName(topology)
        .get();
  }

  Map<String, String> annotations(String topology) {
    Map<String, String> annotations = read(topology).getMetadata().getAnnotations();
    return annotations == null ? Map.of() : annotations;
  }

  /** A timestamp relative to {@link #NOW}. */
  static String at(long secondsFromNow) {
    return NOW.plusSeconds(secondsFromNow).toString();
  }

  /** A region's status. */
  static Map<String, Object> region(String name, String phase, Object... more) {
    Map<String, Object> region = new java.util.LinkedHashMap<>();
    region.put("name", name);
    region.put("phase", phase);
    for (int i = 0; i < more.length; i += 2) {
      region.put((String) more[i], more[i + 1]);
    }
    return region;
  }

  static Map<String, Object> condition(String type, String status, String reason, String message) {
    return Map.of(
        "type",
        type,
        "status",
        status,
        "reason",
        reason,
        "message",
        message,
        "lastTransitionTime",
        NOW.toString());
  }
}
