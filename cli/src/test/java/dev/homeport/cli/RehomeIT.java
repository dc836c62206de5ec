package dev.homeport.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.homeport.cli.PluginFixture.Run;
import dev.homeport.cli.PluginFixture.Running;
import dev.homeport.crds.v1alpha1.HomeAssignment;
import dev.homeport.crds.v1alpha1.spec.HomeAssignmentSpec;
import dev.homeport.testkit.KubeApiServerExtension;
import dev.homeport.testkit.TestKubeApiServer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@code rehome} against a real API server, the test writing the HomeAssignment's status. */
@ExtendWith(KubeApiServerExtension.class)
class RehomeIT {

  private static PluginFixture fx;
  private static String topology;
  private String namespace;

  @BeforeAll
  static void installCrds(TestKubeApiServer server) {
    fx = new PluginFixture(server);
    topology = fx.topology(null);
  }

  @BeforeEach
  void newNamespace() {
    namespace = fx.namespace();
  }

  private HomeAssignment assignment(String name) {
    return fx.client.resources(HomeAssignment.class).inNamespace(namespace).withName(name).get();
  }

  private Run rehome(String... args) {
    List<String> all =
        new java.util.ArrayList<>(List.of("rehome", "-n", namespace, "--topology", topology));
    all.addAll(List.of(args));
    return fx.run(all.toArray(String[]::new));
  }

  @Test
  void createsAHomeAssignmentWithTheKeysTargetAndLimits() {
    Run run =
        rehome(
            "--keys",
            "tenant-a,tenant-b",
            "--to",
            "frankfurt",
            "--reason",
            "relocated to Berlin",
            "--rate",
            "500",
            "--max-write-unavailability",
            "1s");

    assertThat(run.exitCode()).as(run.toString()).isZero();
    String name = "rehome-frankfurt-20260412-103000";
    assertThat(run.out())
        .contains("Created HomeAssignment " + namespace + "/" + name + ": 2 keys -> frankfurt.")
        .contains("Follow it: kubectl get homeassignment -n " + namespace + " " + name + " -w");
    HomeAssignmentSpec spec = assignment(name).getSpec();
    assertThat(spec.getSubject().getKeys()).containsExactly("tenant-a", "tenant-b");
    assertThat(spec.getSubject().getBuckets()).isNull();
    assertThat(spec.getToRegion()).isEqualTo("frankfurt");
    assertThat(spec.getReason()).isEqualTo("relocated to Berlin");
    assertThat(spec.getRate()).isEqualTo(500);
    assertThat(spec.getMaxWriteUnavailability()).isEqualTo("1s");
  }

  @Test
  void movesBucketRangesUnderAGivenNameWithTheServersDefaults() {
    Run run = rehome("--buckets", "0-511,700", "--to", "singapore", "--name", "slice");

    assertThat(run.exitCode()).as(run.toString()).isZero();
    HomeAssignmentSpec spec = assignment("slice").getSpec();
    assertThat(spec.getSubject().getBuckets()).containsExactly("0-511", "700");
    assertThat(spec.getSubject().getKeys()).isNull();
    assertThat(spec.getToRegion()).isEqualTo("singapore");
    // Left to the CRD's defaults.
    assertThat(spec.getRate()).isEqualTo(1000);
    assertThat(spec.getMaxWriteUnavailability()).isEqualTo("2s");
  }

  @Test
  void waitFollowsTheProgressAndEndsWithCompleted() throws Exception {
    Running running =
        fx.start(
            "rehome",
            "-n",
            namespace,
            "--topology",
            topology,
            "--keys",
            "user-7",
            "--to",
            "mumbai",
            "--name",
            "user-7-home",
            "--wait",
            "30s");
    await().atMost(Duration.ofSeconds(20)).until(() -> assignment("user-7-home") != null);
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> running.out().contains("Pending: waiting for the operator"));
    fx.patchAssignmentStatus(
        namespace,
        "user-7-home",
        Map.of(
            "phase",
            "Fencing",
            "currentBatch",
            1,
            "totalBatches",
            1,
            "movedKeys",
            0,
            "totalKeys",
            1));
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> running.out().contains("Fencing, batch 1/1, 0/1 keys moved"));
    fx.patchAssignmentStatus(
        namespace,
        "user-7-home",
        Map.of("phase", "Completed", "movedKeys", 1, "writeUnavailability", "180ms"));

    Run run = running.result();

    assertThat(run.exitCode()).as(run.toString()).isZero();
    assertThat(run.out())
        .contains("Completed, batch 1/1, 1/1 keys moved")
        .contains("Completed: 1 keys moved to mumbai, longest write unavailability 180ms.");
  }

  @Test
  void waitEndsWithExitOneAndTheMessageWhenTheMoveRollsBack() throws Exception {
    Running running =
        fx.start(
            "rehome",
            "-n",
            namespace,
            "--topology",
            topology,
            "--keys",
            "user-8",
            "--to",
            "mumbai",
            "--name",
            "user-8-home",
            "--wait",
            "30s");
    await().atMost(Duration.ofSeconds(20)).until(() -> assignment("user-8-home") != null);
    fx.patchAssignmentStatus(
        namespace,
        "user-8-home",
        Map.of(
            "phase",
            "RolledBack",
            "message",
            "batch 1 could not switch within 2s; its keys stay in frankfurt"));

    Run run = running.result();

    assertThat(run.exitCode()).as(run.toString()).isEqualTo(ExitCode.FAILED);
    assertThat(run.err())
        .contains(
            "error: HomeAssignment user-8-home RolledBack: batch 1 could not switch within 2s;"
                + " its keys stay in frankfurt");
  }

  @Test
  void theApiServersValidationErrorsAreShownByField() {
    Run badKey = rehome("--keys", "no spaces please", "--to", "frankfurt", "--name", "bad-key");
    Run badRange = rehome("--buckets", "9-3", "--to", "frankfurt", "--name", "bad-range");

    assertThat(badKey.exitCode()).as(badKey.toString()).isEqualTo(ExitCode.USAGE);
    assertThat(badKey.err())
        .contains(
            "error: HomeAssignment bad-key is invalid:\n  spec.subject.keys[0]: Invalid value:")
        .contains("should match");
    assertThat(badRange.exitCode()).as(badRange.toString()).isEqualTo(ExitCode.USAGE);
    assertThat(badRange.err())
        .contains("subject.buckets range 9-3 ends before it starts; write start-end");
    assertThat(assignment("bad-key")).isNull();
  }

  @Test
  void anUnknownTargetOrATakenNameIsRefused() {
    Run unknown = rehome("--keys", "k", "--to", "paris");
    Run first = rehome("--keys", "k", "--to", "mumbai", "--name", "taken");
    Run second = rehome("--keys", "k", "--to", "mumbai", "--name", "taken");
    Run neither = rehome("--to", "mumbai");

    assertThat(unknown.exitCode()).as(unknown.toString()).isEqualTo(ExitCode.USAGE);
    assertThat(unknown.err())
        .contains("region paris is not in RegionTopology " + topology)
        .contains("its regions: mumbai, frankfurt, singapore");
    assertThat(first.exitCode()).as(first.toString()).isZero();
    assertThat(second.exitCode()).as(second.toString()).isEqualTo(ExitCode.FAILED);
    assertThat(second.err())
        .contains(
            "HomeAssignment taken already exists in namespace "
                + namespace
                + "; choose another --name");
    assertThat(neither.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(neither.err()).contains("--keys").contains("--buckets");
  }
}
