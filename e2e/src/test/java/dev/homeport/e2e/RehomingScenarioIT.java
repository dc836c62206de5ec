package dev.homeport.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.homeport.crds.v1alpha1.HomeAssignment;
import dev.homeport.crds.v1alpha1.status.HomeAssignmentPhase;
import dev.homeport.e2e.history.CheckResult;
import dev.homeport.e2e.history.ClientOp;
import dev.homeport.e2e.history.HistoryChecker;
import dev.homeport.e2e.history.Timeline;
import dev.homeport.e2e.report.Scenario;
import dev.homeport.e2e.report.ScenarioReport;
import dev.homeport.testkit.CommandResult;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Re-homing 1,000 keys under load on the local system, applied with kubectl as a user would: the
 * keys' writes pause only while their batch is fenced and drained, and the history shows every
 * acknowledged write applied once, at the old home before the move and the new one after it.
 */
class RehomingScenarioIT extends LocalSystemScenario {

  @Test
  void thousandKeysMoveFromMumbaiToSingaporeUnderLoad() throws Exception {
    Scenario scenario = ScenarioReport.shared().scenario("Re-homing 1,000 keys under load");
    List<String> keys = system.keysHomedIn("mumbai", "move-", 1000);
    Set<String> moving = Set.copyOf(keys);
    Path manifest = system.stateDir().resolve("homeassignment-move-1000.yaml");
    Files.writeString(
        manifest,
        """
        apiVersion: homeport.dev/v1alpha1
        kind: HomeAssignment
        metadata:
          name: move-1000
          namespace: default
        spec:
          subject:
            keys: [%s]
          toRegion: singapore
          reason: end-to-end scenario
          rate: 2000
        """
            .formatted(String.join(", ", keys)),
        StandardCharsets.UTF_8);

    long start = System.nanoTime();
    long applied;
    long completed;
    HomeAssignment done;
    try (ClientLoad load =
        new ClientLoad(
            system.history(),
            Scenarios.entries(system, system.regionNames()),
            keys,
            16,
            ClientLoad.Mix.WRITES,
            Duration.ofMillis(5),
            Duration.ofSeconds(120))) {
      await().atMost(Duration.ofSeconds(20)).until(() -> load.acknowledged() >= 1000);
      applied = System.nanoTime();
      CommandResult apply = system.kubectl("apply", "-f", manifest.toString());
      assertThat(apply.succeeded()).as(apply.toString()).isTrue();
      scenario.event(applied, "kubectl apply HomeAssignment move-1000");
      await()
          .atMost(Duration.ofSeconds(90))
          .until(
              () -> {
                HomeAssignment current = assignment();
                return current != null
                    && current.getStatus() != null
                    && current.getStatus().getPhase() != null
                    && current.getStatus().getPhase().finished();
              });
      completed = System.nanoTime();
      done = assignment();
      scenario.event(completed, "HomeAssignment " + done.getStatus().getPhase());
      long after = load.acknowledged();
      await().atMost(Duration.ofSeconds(20)).until(() -> load.acknowledged() >= after + 1000);
    }

    List<ClientOp> ops =
        system.history().ops().stream().filter(op -> op.startNanos() >= start).toList();
    Timeline timeline = Timeline.of(ops);
    CheckResult result =
        HistoryChecker.check(
            system.history(), HistoryChecker.Policy.strict(LocalSystem.FAST_LEASE_AND_SKEW));
    long afterAtSingapore =
        ops.stream()
            .filter(op -> op.startNanos() > completed && op.acknowledged())
            .filter(op -> moving.contains(op.key()))
            .filter(op -> !"singapore".equals(op.servedBy()))
            .count();
    double seconds = (completed - applied) / 1e9;
    scenario
        .figure("keys moved", Long.toString(done.getStatus().getMovedKeys()))
        .figure(
            "batches",
            done.getStatus().getTotalBatches() + " of " + done.getStatus().getBatchSize())
        .figure("time from kubectl apply to Completed", Duration.ofNanos(completed - applied))
        .figure("throughput", 1000 / seconds, "keys/s")
        .figure("per-key write unavailability p50", timeline.windowP50())
        .figure("per-key write unavailability p99", timeline.windowP99())
        .figure("operator's longest fence-to-switch", done.getStatus().getWriteUnavailability())
        .check(result)
        .timeline(timeline)
        .done();

    assertThat(done.getStatus().getPhase()).isEqualTo(HomeAssignmentPhase.Completed);
    assertThat(done.getStatus().getMovedKeys()).isEqualTo(1000);
    assertThat(result.clean()).as(result.summary()).isTrue();
    assertThat(afterAtSingapore)
        .as("writes after the move served elsewhere than singapore")
        .isZero();
    // The HomeAssignment's promise (spec.maxWriteUnavailability, 2s by default), as clients that
    // retry through any front-door across the local system's round trips see it.
    assertThat(timeline.windowMax()).isLessThan(Duration.ofSeconds(2));
  }

  private HomeAssignment assignment() {
    return system
        .client()
        .resources(HomeAssignment.class)
        .inNamespace("default")
        .withName("move-1000")
        .get();
  }
}
