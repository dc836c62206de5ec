package dev.homeport.cli;

import static dev.homeport.cli.PluginFixture.at;
import static dev.homeport.cli.PluginFixture.condition;
import static dev.homeport.cli.PluginFixture.region;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.homeport.cli.PluginFixture.Run;
import dev.homeport.cli.PluginFixture.Running;
import dev.homeport.testkit.KubeApiServerExtension;
import dev.homeport.testkit.TestKubeApiServer;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@code status}, {@code failover} and {@code failback} against a real API server. */
@ExtendWith(KubeApiServerExtension.class)
class StatusAndApprovalsIT {

  private static PluginFixture fx;

  @BeforeAll
  static void installCrds(TestKubeApiServer server) {
    fx = new PluginFixture(server);
  }

  private static Map<String, Object> failedOverStatus() {
    Map<String, Object> status = new LinkedHashMap<>();
    status.put("routingEpoch", 44);
    status.put("summary", "mumbai:Active frankfurt:FailedOver>singapore singapore:Active");
    status.put(
        "regions",
        List.of(
            region(
                "mumbai",
                "Active",
                "leaseExpiresAt",
                at(8),
                "lastHeartbeat",
                at(-2),
                "consecutiveFailures",
                0),
            region(
                "frankfurt",
                "FailedOver",
                "servedBy",
                "singapore",
                "leaseExpiresAt",
                at(-240),
                "lastHeartbeat",
                at(-300),
                "consecutiveFailures",
                12,
                "message",
                "probe failed: connection refused"),
            region(
                "singapore",
                "Active",
                "leaseExpiresAt",
                at(9),
                "lastHeartbeat",
                at(-1),
                "consecutiveFailures",
                0)));
    status.put(
        "conditions",
        List.of(
            condition("Ready", "False", "RegionFailedOver", "frankfurt is served by singapore"),
            condition("Degraded", "True", "RegionFailedOver", "frankfurt is served by singapore"),
            condition("FailoverInProgress", "False", "None", "no failover in progress"),
            condition(
                "FailoverRefused",
                "True",
                "MaxConcurrentFailovers",
                "mumbai is Suspect but maxConcurrentFailovers 1 is reached"),
            condition("DrillInProgress", "True", "Holding", "drill Q4-2026 holds")));
    return status;
  }

  @Test
  void statusShowsRegionsLeasesHeartbeatsConditionsThatNeedAttentionAndTheRunningDrill() {
    String topology = fx.topology(null);
    Map<String, Object> status = failedOverStatus();
    status.put(
        "drills",
        List.of(
            Map.of("id", "Q3-2026", "region", "mumbai", "result", "Succeeded"),
            Map.of(
                "id",
                "Q4-2026",
                "region",
                "frankfurt",
                "peer",
                "singapore",
                "result",
                "Running",
                "phase",
                "Holding",
                "startedAt",
                at(-120),
                "holdUntil",
                at(480),
                "rto",
                "2.4s")));
    fx.patchStatus(topology, status);

    Run run = fx.run("status", "--topology", topology);

    assertThat(run.exitCode()).as(run.toString()).isZero();
    assertThat(run.out())
        .as(run.toString())
        .contains(
            "RegionTopology "
                + topology
                + "   routing epoch 44   mumbai:Active frankfurt:FailedOver>singapore"
                + " singapore:Active")
        .containsPattern(
            "(?m)^NAME +PHASE +BUCKETS +SERVED BY +LEASE +HEARTBEAT +FAILURES +MESSAGE$")
        .containsPattern("(?m)^mumbai +Active +- +- +in 8s +2s ago +0 +-$")
        .containsPattern(
            "(?m)^frankfurt +FailedOver +- +singapore +expired 4m ago +5m ago +12 +probe failed:"
                + " connection refused$")
        .containsPattern("(?m)^singapore +Active +- +- +in 9s +1s ago +0 +-$")
        .contains("  Ready=False (RegionFailedOver): frankfurt is served by singapore")
        .contains("  Degraded=True (RegionFailedOver): frankfurt is served by singapore")
        .contains(
            "  FailoverRefused=True (MaxConcurrentFailovers): mumbai is Suspect but"
                + " maxConcurrentFailovers 1 is reached")
        .contains("  DrillInProgress=True (Holding): drill Q4-2026 holds")
        .doesNotContain("FailoverInProgress")
        .contains(
            "Drill Q4-2026 is Running (Holding): frankfurt -> singapore, started 2m ago, holds"
                + " until "
                + at(480)
                + " (in 8m), RTO 2.4s");
  }

  @Test
  void statusPrintsTheWholeObjectAsJsonOrYaml() throws Exception {
    String topology = fx.topology(null);
    fx.patchStatus(topology, failedOverStatus());

    Run json = fx.run("status", "--topology", topology, "-o", "json");
    Run yaml = fx.run("status", "--topology", topology, "--output=yaml");

    assertThat(json.exitCode()).as(json.toString()).isZero();
    JsonNode object = new ObjectMapper().readTree(json.out());
    assertThat(object.at("/metadata/name").asText()).isEqualTo(topology);
    assertThat(object.at("/status/routingEpoch").asLong()).isEqualTo(44);
    assertThat(object.at("/spec/regions/1/name").asText()).isEqualTo("frankfurt");
    assertThat(yaml.exitCode()).as(yaml.toString()).isZero();
    assertThat(yaml.out()).contains("routingEpoch: 44").contains("name: " + topology);
  }

  @Test
  void statusBeforeTheOperatorWroteAnySaysSo() {
    String topology = fx.topology(null);

    Run run = fx.run("status", "--topology", topology);

    assertThat(run.exitCode()).as(run.toString()).isZero();
    assertThat(run.out())
        .contains("No status yet: the operator has not reconciled this topology")
        .containsPattern("(?m)^frankfurt +- +- +- +- +- +- +-$");
  }

  @Test
  void aMissingTopologyIsExitThreeWithAHint() {
    Run run = fx.run("status", "--topology", "nowhere");

    assertThat(run.exitCode()).as(run.toString()).isEqualTo(ExitCode.UNAVAILABLE);
    assertThat(run.err())
        .contains(
            "error: RegionTopology nowhere not found; is Homeport installed? (kubectl get"
                + " regiontopologies)");
  }

  @Test
  void failoverAddsTheRegionToTheApprovalsAndKeepsTheOthers() {
    String topology = fx.topology("{homeport.dev/approve-failover: mumbai}");

    Run run = fx.run("failover", "frankfurt", "--approve", "--topology", topology);

    assertThat(run.exitCode()).as(run.toString()).isZero();
    assertThat(fx.annotations(topology))
        .containsEntry(ApprovalCommand.APPROVE_FAILOVER, "mumbai,frankfurt")
        .doesNotContainKey(ApprovalCommand.APPROVE_FAILBACK);
    assertThat(run.out())
        .contains(
            "Approved the failover of frankfurt: homeport.dev/approve-failover=mumbai,frankfurt on"
                + " RegionTopology "
                + topology)
        .contains("first healthy failover peer with capacity (singapore)")
        .contains("Watch it: kubectl homeport status");

    Run again = fx.run("failover", "frankfurt", "--approve", "--topology", topology);

    assertThat(again.exitCode()).as(again.toString()).isZero();
    assertThat(again.out()).contains("Already approved the failover of frankfurt");
    assertThat(fx.annotations(topology))
        .containsEntry(ApprovalCommand.APPROVE_FAILOVER, "mumbai,frankfurt");
  }

  @Test
  void failbackAddsTheRegionToItsOwnAnnotation() {
    String topology =
        fx.topology(
            "{homeport.dev/approve-failover: frankfurt, homeport.dev/approve-failback: mumbai}");
    fx.patchStatus(topology, failedOverStatus());

    Run run = fx.run("failback", "frankfurt", "--approve", "--topology", topology);

    assertThat(run.exitCode()).as(run.toString()).isZero();
    assertThat(fx.annotations(topology))
        .containsEntry(ApprovalCommand.APPROVE_FAILBACK, "mumbai,frankfurt")
        .containsEntry(ApprovalCommand.APPROVE_FAILOVER, "frankfurt");
    assertThat(run.out())
        .contains("frankfurt is FailedOver (served by singapore)")
        .contains("stops singapore serving its keys (Recovering)");
  }

  @Test
  void failbackWithSkipCatchUpAlsoAddsTheRegionToTheSkipAnnotation() {
    String topology = fx.topology("{homeport.dev/approve-failback: frankfurt}");
    fx.patchStatus(topology, failedOverStatus());

    Run run =
        fx.run("failback", "frankfurt", "--approve", "--skip-catch-up", "--topology", topology);

    assertThat(run.exitCode()).as(run.toString()).isZero();
    assertThat(fx.annotations(topology))
        .containsEntry(ApprovalCommand.APPROVE_FAILBACK, "frankfurt")
        .containsEntry(ApprovalCommand.SKIP_CATCH_UP, "frankfurt");
    assertThat(run.out())
        .contains("Approved the failback of frankfurt")
        .contains("homeport.dev/failback-skip-catch-up=frankfurt")
        .contains("(not awaited: --skip-catch-up)");
  }

  @Test
  void withoutApproveNothingChangesAndTheUsageErrorExplains() {
    String topology = fx.topology(null);

    Run run = fx.run("failover", "frankfurt", "--topology", topology);

    assertThat(run.exitCode()).as(run.toString()).isEqualTo(ExitCode.USAGE);
    assertThat(run.err())
        .contains("error: failover of frankfurt needs --approve")
        .contains("To go ahead: kubectl homeport failover frankfurt --approve");
    assertThat(fx.annotations(topology)).doesNotContainKey(ApprovalCommand.APPROVE_FAILOVER);
  }

  @Test
  void anUnknownRegionIsRefusedNamingTheRegionsThatExist() {
    String topology = fx.topology(null);

    Run run = fx.run("failback", "paris", "--approve", "--topology", topology);

    assertThat(run.exitCode()).as(run.toString()).isEqualTo(ExitCode.USAGE);
    assertThat(run.err())
        .contains(
            "error: region paris is not in RegionTopology "
                + topology
                + "; its regions: mumbai, frankfurt, singapore");
    assertThat(fx.annotations(topology)).doesNotContainKey(ApprovalCommand.APPROVE_FAILBACK);
  }

  @Test
  void failoverWaitFollowsThePhaseUntilFailedOver() throws Exception {
    String topology = fx.topology(null);
    fx.patchStatus(
        topology,
        Map.of("regions", List.of(region("frankfurt", "Suspect", "message", "3 failed probes"))));

    Running running =
        fx.start("failover", "frankfurt", "--approve", "--wait", "30s", "--topology", topology);
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> running.out().contains("frankfurt Suspect: 3 failed probes"));
    fx.patchStatus(
        topology,
        Map.of("regions", List.of(region("frankfurt", "Fenced", "message", "lease not renewed"))));
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> running.out().contains("frankfurt Fenced: lease not renewed"));
    fx.patchStatus(
        topology,
        Map.of("regions", List.of(region("frankfurt", "FailedOver", "servedBy", "singapore"))));
    Run run = running.result();

    assertThat(run.exitCode()).as(run.toString()).isZero();
    assertThat(run.out())
        .contains("Waiting up to 30s for frankfurt to be FailedOver")
        .contains("frankfurt FailedOver (served by singapore)")
        .contains("frankfurt is FailedOver.");
    assertThat(fx.annotations(topology))
        .containsEntry(ApprovalCommand.APPROVE_FAILOVER, "frankfurt");
  }

  @Test
  void failoverWaitThatRunsOutIsExitOneWithThePhaseAndTheRefusal() {
    String topology = fx.topology(null);
    fx.patchStatus(
        topology,
        Map.of(
            "regions",
            List.of(region("frankfurt", "Suspect")),
            "conditions",
            List.of(
                condition(
                    "FailoverRefused",
                    "True",
                    "NoEligiblePeer",
                    "frankfurt is failing but singapore lacks capacity"))));

    Run run = fx.run("failover", "frankfurt", "--approve", "--wait", "2s", "--topology", topology);

    assertThat(run.exitCode()).as(run.toString()).isEqualTo(ExitCode.FAILED);
    assertThat(run.err())
        .contains(
            "error: frankfurt is still Suspect after 2s, not FailedOver; the operator says:"
                + " frankfurt is failing but singapore lacks capacity");
  }
}
