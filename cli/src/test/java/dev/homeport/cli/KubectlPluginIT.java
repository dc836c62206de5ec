package dev.homeport.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.homeport.cli.PluginFixture.Run;
import dev.homeport.crds.v1alpha1.HomeAssignment;
import dev.homeport.testkit.KubeApiServerExtension;
import dev.homeport.testkit.ProjectPaths;
import dev.homeport.testkit.TestKubeApiServer;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The built plugin as users run it: {@code cli/target/kubectl-homeport} found on PATH by the real
 * kubectl, and the kubeconfig handling (KUBECONFIG, contexts, their namespace, an unreachable
 * server).
 */
@ExtendWith(KubeApiServerExtension.class)
class KubectlPluginIT {

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final Path LAUNCHER =
      ProjectPaths.root().resolve("cli").resolve("target").resolve("kubectl-homeport");

  private static PluginFixture fx;
  private static String topology;

  @TempDir static Path dir;

  /** What a process printed and returned. */
  record Result(int exitCode, String out, String err) {}

  @BeforeAll
  static void setUp(TestKubeApiServer server) {
    fx = new PluginFixture(server);
    topology = fx.topology(null);
    Instant now = Instant.now();
    fx.patchStatus(
        topology,
        Map.of(
            "routingEpoch",
            7,
            "regions",
            List.of(
                PluginFixture.region(
                    "mumbai",
                    "Active",
                    "leaseExpiresAt",
                    now.plusSeconds(3600).toString(),
                    "lastHeartbeat",
                    now.toString()),
                PluginFixture.region("frankfurt", "FailedOver", "servedBy", "singapore"),
                PluginFixture.region("singapore", "Active"))));
  }

  /** Runs a command with this environment on top of the test's, PATH replaced. */
  private static Result exec(List<String> command, String path, Map<String, String> env)
      throws Exception {
    Path out = Files.createTempFile(dir, "out", ".txt");
    Path err = Files.createTempFile(dir, "err", ".txt");
    ProcessBuilder builder =
        new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
    builder.environment().put("PATH", path);
    builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
    builder.environment().put("HOME", dir.toString());
    builder.environment().remove("KUBECONFIG");
    builder.environment().putAll(env);
    Process process = builder.start();
    assertThat(process.waitFor(120, TimeUnit.SECONDS)).as("%s finished", command).isTrue();
    return new Result(
        process.exitValue(),
        Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
  }

  /** {@code kubectl <args>} with a folder holding only a symbolic link to the plugin on PATH. */
  private static Result kubectl(Map<String, String> env, String... args) throws Exception {
    Path bin = dir.resolve("bin");
    if (!Files.exists(bin.resolve("kubectl-homeport"))) {
      Files.createDirectories(bin);
      Files.createSymbolicLink(bin.resolve("kubectl-homeport"), LAUNCHER);
    }
    List<String> command = new ArrayList<>();
    command.add(fx.server.kubectlBinary().toString());
    command.addAll(List.of(args));
    return exec(command, bin + File.pathSeparator + "/usr/bin:/bin", env);
  }

  /**
   * A kubeconfig with two contexts: {@code broken} (current, a server nobody listens on) and {@code
   * homeport-test} (the test server, namespace {@code team-x}).
   */
  @SuppressWarnings("unchecked")
  private static Path twoContexts() throws Exception {
    Map<String, Object> config = YAML.readValue(fx.server.kubeConfigYaml(), Map.class);
    Map<String, Object> cluster =
        (Map<String, Object>) ((List<Map<String, Object>>) config.get("clusters")).get(0);
    Map<String, Object> user =
        (Map<String, Object>) ((List<Map<String, Object>>) config.get("users")).get(0);
    Map<String, Object> twoContexts =
        Map.of(
            "apiVersion",
            "v1",
            "kind",
            "Config",
            "clusters",
            List.of(
                Map.of("name", "test", "cluster", cluster.get("cluster")),
                Map.of("name", "nowhere", "cluster", Map.of("server", "https://127.0.0.1:1"))),
            "users",
            List.of(Map.of("name", "tester", "user", user.get("user"))),
            "contexts",
            List.of(
                Map.of(
                    "name",
                    "homeport-test",
                    "context",
                    Map.of("cluster", "test", "user", "tester", "namespace", "team-x")),
                Map.of(
                    "name", "broken", "context", Map.of("cluster", "nowhere", "user", "tester"))),
            "current-context",
            "broken");
    Path file = dir.resolve("two-contexts.yaml");
    YAML.writeValue(file.toFile(), twoContexts);
    return file;
  }

  @Test
  void kubectlRunsThePluginFromPathThroughASymbolicLink() throws Exception {
    Map<String, String> env = Map.of("KUBECONFIG", fx.server.kubeconfig().toString());

    Result status = kubectl(env, "homeport", "status", "--topology", topology);
    Result list = kubectl(env, "plugin", "list");

    assertThat(LAUNCHER).isExecutable();
    assertThat(status.exitCode()).as(status.toString()).isZero();
    assertThat(status.out())
        .contains("RegionTopology " + topology + "   routing epoch 7")
        .containsPattern(
            "(?m)^NAME +PHASE +BUCKETS +SERVED BY +LEASE +HEARTBEAT +FAILURES +MESSAGE$")
        .containsPattern("(?m)^mumbai +Active +- +- +in (59m\\d+s|1h) +(\\d+s) ago +- +-$")
        .containsPattern("(?m)^frankfurt +FailedOver +- +singapore +- +- +- +-$");
    assertThat(list.out()).contains("kubectl-homeport");
  }

  @Test
  void exitCodesAndMessagesReachTheUserThroughKubectl() throws Exception {
    Map<String, String> env = Map.of("KUBECONFIG", fx.server.kubeconfig().toString());

    Result noApprove = kubectl(env, "homeport", "failover", "frankfurt", "--topology", topology);
    Result noTopology = kubectl(env, "homeport", "status", "--topology", "missing");
    Result help = kubectl(env, "homeport", "--help");

    assertThat(noApprove.exitCode()).as(noApprove.toString()).isEqualTo(ExitCode.USAGE);
    assertThat(noApprove.err()).contains("error: failover of frankfurt needs --approve");
    assertThat(noTopology.exitCode()).as(noTopology.toString()).isEqualTo(ExitCode.UNAVAILABLE);
    assertThat(noTopology.err()).contains("RegionTopology missing not found");
    assertThat(help.exitCode()).isZero();
    assertThat(help.out())
        .contains("Usage: kubectl homeport")
        .contains("Exit codes:")
        .contains("drill")
        .contains("rehome");
  }

  @Test
  void contextSelectsTheClusterAndItsNamespace() throws Exception {
    Path kubeconfig = twoContexts();
    fx.client
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName("team-x").endMetadata().build())
        .serverSideApply();

    Run current =
        PluginFixture.runRaw("status", "--topology", topology, "--kubeconfig=" + kubeconfig);
    Run chosen =
        PluginFixture.runRaw(
            "--context",
            "homeport-test",
            "status",
            "--topology",
            topology,
            "--kubeconfig=" + kubeconfig);
    Run rehome =
        PluginFixture.runRaw(
            "rehome",
            "--keys",
            "k1",
            "--to",
            "mumbai",
            "--name",
            "from-context",
            "--topology",
            topology,
            "--context=homeport-test",
            "--kubeconfig=" + kubeconfig);
    Run unknown = PluginFixture.runRaw("status", "--context", "nope", "--kubeconfig=" + kubeconfig);
    Result throughKubectl =
        kubectl(
            Map.of("KUBECONFIG", kubeconfig.toString()),
            "homeport",
            "status",
            "--context",
            "homeport-test",
            "--topology",
            topology);
    Result unreachable = kubectl(Map.of("KUBECONFIG", kubeconfig.toString()), "homeport", "status");

    assertThat(current.exitCode()).as(current.toString()).isEqualTo(ExitCode.UNAVAILABLE);
    assertThat(current.err())
        .contains(
            "error: cannot reach the Kubernetes API server at https://127.0.0.1:1/ (context"
                + " broken): connection refused; check that the cluster is up");
    assertThat(chosen.exitCode()).as(chosen.toString()).isZero();
    assertThat(chosen.out()).contains("RegionTopology " + topology);
    assertThat(rehome.exitCode()).as(rehome.toString()).isZero();
    assertThat(rehome.out()).contains("Created HomeAssignment team-x/from-context");
    assertThat(
            fx.client
                .resources(HomeAssignment.class)
                .inNamespace("team-x")
                .withName("from-context")
                .get())
        .isNotNull();
    assertThat(unknown.exitCode()).as(unknown.toString()).isEqualTo(ExitCode.USAGE);
    assertThat(unknown.err())
        .contains("context \"nope\" does not exist")
        .contains("contexts: broken, homeport-test");
    assertThat(throughKubectl.exitCode()).as(throughKubectl.toString()).isZero();
    assertThat(throughKubectl.out()).contains("RegionTopology " + topology);
    assertThat(unreachable.exitCode()).as(unreachable.toString()).isEqualTo(ExitCode.UNAVAILABLE);
    assertThat(unreachable.err()).contains("cannot reach the Kubernetes API server");
  }
}
