package dev.homeport.cli;

import static dev.homeport.cli.PluginFixture.at;
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

/** {@code drill start|status|abort|report} against a real API server, the test as operator. */
@ExtendWith(KubeApiServerExtension.class)
class DrillIT {

  private static final String REFUSAL =
      "region frankfurt is FailedOver (served by singapore); a drill needs every region Active";

  private static PluginFixture fx;

  @BeforeAll
  static void installCrds(TestKubeApiServer server) {
    fx = new PluginFixture(server);
  }

  /** A drill record with these fields (in pairs: name, value). */
  private static Map<String, Object> drill(String id, String result, Object... more) {
    Map<String, Object> record = new LinkedHashMap<>();
    record.put("id", id);
    record.put("region", "frankfurt");
    record.put("peer", "singapore");
    record.put("result", result);
    for (int i = 0; i < more.length; i += 2) {
      record.put((String) more[i], more[i + 1]);
    }
    return record;
  }

  private static Map<String, Object> finished(String id) {
    return drill(
        id,
        "Succeeded",
        "phase",
        "VerifyingBack",
        "startedAt",
        at(-3600),
        "finishedAt",
        at(-2950),
        "holdFor",
        "10m",
        "rto",
        "2.4s",
        "rpo",
        "120ms",
        "replicationLag",
        12,
        "errors",
        0,
        "syntheticRequests",
        1200,
        "p99Latency",
        "35ms",
        "epochs",
        "41→42→44");
  }

  private void drills(String topology, Map<String, Object>... records) {
    fx.patchStatus(topology, Map.of("drills", List.of(records)));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> specDrill(String topology) {
    Map<String, Object> spec = (Map<String, Object>) fx.read(topology).get("spec");
    return (Map<String, Object>) spec.get("drill");
  }

  @Test
  void startSetsSpecDrillAndSaysHowToFollowIt() {
    String topology = fx.topology(null);

    Run run =
        fx.run(
            "drill",
            "start",
            "frankfurt",
            "--hold",
            "5m",
            "--id",
            "Q4-2026",
            "--topology",
            topology);

    assertThat(run.exitCode()).as(run.toString()).isZero();
    assertThat(specDrill(topology))
        .containsEntry("id", "Q4-2026")
        .containsEntry("region", "frankfurt")
        .containsEntry("holdFor", "5m");
    assertThat(run.out())
        .contains("Requested drill Q4-2026 on RegionTopology " + topology)
        .contains("kubectl homeport drill status")
        .contains("kubectl homeport drill abort")
        .contains("kubectl homeport drill report Q4-2026");
  }

  @Test
  void startWithoutAnIdGeneratesOneAndHoldsTenMinutes() {
    String topology = fx.topology(null);
    drills(topology, finished("Q3-2026"));

    Run run = fx.run("drill", "start", "mumbai", "--topology", topology);

    assertThat(run.exitCode()).as(run.toString()).isZero();
    assertThat(specDrill(topology))
        .containsEntry("id", "drill-mumbai-20260412-103000")
        .containsEntry("region", "mumbai")
        .containsEntry("holdFor", "10m");
  }

  @Test
  void startIsRefusedWhileADrillRunsOrIsRequestedOrWhenTheIdWasUsed() {
    String topology = fx.topology(null);
    drills(topology, finished("Q1-2026"), drill("Q2-2026", "Running", "phase", "Holding"));

    Run whileRunning = fx.run("drill", "start", "mumbai", "--topology", topology);
    Run unknownRegion = fx.run("drill", "start", "paris", "--topology", topology);

    assertThat(whileRunning.exitCode()).as(whileRunning.toString()).isEqualTo(ExitCode.FAILED);
    assertThat(whileRunning.err())
        .contains("error: Drill Q2-2026 is Running (Holding): frankfurt -> singapore")
        .contains("one drill at a time")
        .contains("kubectl homeport drill abort");
    assertThat(unknownRegion.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(specDrill(topology)).isNull();

    drills(topology, finished("Q1-2026"), finished("Q2-2026"));
    Run reused = fx.run("drill", "start", "mumbai", "--id", "Q1-2026", "--topology", topology);
    Run first = fx.run("drill", "start", "mumbai", "--id", "Q3-2026", "--topology", topology);
    Run second = fx.run("drill", "start", "singapore", "--id", "Q3b", "--topology", topology);

    assertThat(reused.exitCode()).as(reused.toString()).isEqualTo(ExitCode.USAGE);
    assertThat(reused.err())
        .contains(
            "drill id Q1-2026 was already used (Succeeded); the operator does not run an id twice:"
                + " choose another --id");
    assertThat(first.exitCode()).as(first.toString()).isZero();
    assertThat(second.exitCode()).as(second.toString()).isEqualTo(ExitCode.FAILED);
    assertThat(second.err())
        .contains("drill Q3-2026 of mumbai is requested and the operator has not started it yet");
    assertThat(specDrill(topology)).containsEntry("id", "Q3-2026");
  }

  @Test
  void startWaitEndsWithExitOneAndTheOperatorsReasonWhenRefused() throws Exception {
    String topology = fx.topology(null);

    Running running =
        fx.start(
            "drill", "start", "frankfurt", "--id", "R1", "--wait", "30s", "--topology", topology);
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> running.out().contains("Requested: waiting for the operator to start it"));
    assertThat(specDrill(topology)).containsEntry("id", "R1");
    drills(topology, drill("R1", "Refused", "phase", "PreChecks", "reason", REFUSAL));

    Run run = running.result();

    assertThat(run.exitCode()).as(run.toString()).isEqualTo(ExitCode.FAILED);
    assertThat(run.err()).contains("error: Refused: " + REFUSAL);
  }

  @Test
  void startWaitFollowsThePhasesUntilSucceeded() throws Exception {
    String topology = fx.topology(null);

    Running running =
        fx.start(
            "drill", "start", "frankfurt", "--id", "S1", "--wait", "30s", "--topology", topology);
    await().atMost(Duration.ofSeconds(20)).until(() -> specDrill(topology) != null);
    drills(topology, drill("S1", "Running", "phase", "Fencing"));
    await().atMost(Duration.ofSeconds(20)).until(() -> running.out().contains("Running (Fencing)"));
    drills(topology, drill("S1", "Running", "phase", "Holding"));
    await().atMost(Duration.ofSeconds(20)).until(() -> running.out().contains("Running (Holding)"));
    drills(topology, finished("S1"));

    Run run = running.result();

    assertThat(run.exitCode()).as(run.toString()).isZero();
    assertThat(run.out())
        .contains("Drill S1: Succeeded")
        .containsPattern("RTO: +2.4s")
        .containsPattern("Errors: +0 of 1200 synthetic requests")
        .contains("Report: kubectl homeport drill report S1");
  }

  @Test
  void startWaitReportsAnAbortWithItsReason() throws Exception {
    String topology = fx.topology(null);

    Running running =
        fx.start(
            "drill", "start", "frankfurt", "--id", "A0", "--wait", "30s", "--topology", topology);
    await().atMost(Duration.ofSeconds(20)).until(() -> specDrill(topology) != null);
    drills(topology, drill("A0", "Running", "phase", "FailingBack", "pendingResult", "Aborted"));
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> running.out().contains("Running (FailingBack, ending Aborted)"));
    drills(
        topology,
        drill("A0", "Aborted", "reason", "error rate 0.09 crossed abortIf.errorRate 0.05"));

    Run run = running.result();

    assertThat(run.exitCode()).as(run.toString()).isEqualTo(ExitCode.FAILED);
    assertThat(run.err())
        .contains("error: Aborted: error rate 0.09 crossed abortIf.errorRate 0.05");
  }

  @Test
  void abortAnnotatesTheRunningDrillAndIsRefusedWhenNoneRuns() {
    String topology = fx.topology(null);
    drills(topology, finished("Q1-2026"), drill("Q2-2026", "Running", "phase", "Holding"));

    Run wrongId = fx.run("drill", "abort", "--id", "Q1-2026", "--topology", topology);
    Run abort = fx.run("drill", "abort", "--topology", topology);

    assertThat(wrongId.exitCode()).as(wrongId.toString()).isEqualTo(ExitCode.FAILED);
    assertThat(wrongId.err())
        .contains("drill Q1-2026 is not running; the running drill is Q2-2026");
    assertThat(abort.exitCode()).as(abort.toString()).isZero();
    assertThat(fx.annotations(topology)).containsEntry(DrillCommand.ABORT_DRILL, "Q2-2026");
    assertThat(abort.out())
        .contains("Asked the operator to abort drill Q2-2026")
        .contains("it fails frankfurt back at once");

    drills(topology, finished("Q1-2026"), finished("Q2-2026"));
    Run none = fx.run("drill", "abort", "--topology", topology);

    assertThat(none.exitCode()).as(none.toString()).isEqualTo(ExitCode.FAILED);
    assertThat(none.err())
        .contains(
            "error: no drill is running on RegionTopology "
                + topology
                + "; the last one was Q2-2026 (Succeeded)");
  }

  @Test
  void statusShowsTheRunningDrillElseTheLastOne() {
    String topology = fx.topology(null);
    Run empty = fx.run("drill", "status", "--topology", topology);
    drills(
        topology,
        finished("Q1-2026"),
        drill(
            "Q2-2026",
            "Running",
            "phase",
            "Holding",
            "startedAt",
            at(-125),
            "holdFor",
            "10m",
            "holdUntil",
            at(475),
            "rto",
            "2.4s"));

    Run running = fx.run("drill", "status", "--topology", topology);
    drills(topology, finished("Q1-2026"));
    Run last = fx.run("drill", "status", "--topology", topology);

    assertThat(empty.out()).contains("No drills on RegionTopology " + topology + " yet.");
    assertThat(running.exitCode()).as(running.toString()).isZero();
    assertThat(running.out())
        .contains("Drill Q2-2026: Running (Holding)")
        .containsPattern("Region: +frankfurt -> singapore")
        .containsPattern("Elapsed: +2m5s")
        .containsPattern("Hold until: +" + at(475) + " \\(in 7m55s\\)")
        .containsPattern("RTO so far: +2.4s");
    assertThat(last.out())
        .contains("No drill is running. The last one:")
        .contains("Drill Q1-2026: Succeeded")
        .containsPattern("Finished: +" + at(-2950) + " \\(49m10s ago\\)");
  }

  @Test
  void reportPrintsMarkdownOrTheRecordAsJsonAndExitThreeForAnUnknownId() throws Exception {
    String topology = fx.topology(null);
    drills(
        topology,
        finished("Q1-2026"),
        drill("Q2-2026", "Refused", "phase", "PreChecks", "reason", REFUSAL));

    Run md = fx.run("drill", "report", "Q1-2026", "--topology", topology);
    Run json = fx.run("drill", "report", "Q1-2026", "--format", "json", "--topology", topology);
    Run refused = fx.run("drill", "report", "Q2-2026", "--topology", topology);
    Run unknown = fx.run("drill", "report", "Q9-2026", "--topology", topology);

    assertThat(md.exitCode()).as(md.toString()).isZero();
    assertThat(md.out())
        .startsWith("## Failover drill Q1-2026\n\n| | |\n| --- | --- |\n")
        .contains("| Region | frankfurt |")
        .contains("| Peer | singapore |")
        .contains("| Result | Succeeded |")
        .contains("| Started | " + at(-3600) + " |")
        .contains("| Duration | 10m50s |")
        .contains("| RTO | 2.4s |")
        .contains("| RPO proxy | 120ms |")
        .contains("| Replication lag at the cut | 12 writes |")
        .contains("| Errors | 0 |")
        .contains("| Synthetic requests | 1200 |")
        .contains("| Routing epochs | 41→42→44 |")
        .contains("| Reason | - |");
    assertThat(json.exitCode()).as(json.toString()).isZero();
    JsonNode record = new ObjectMapper().readTree(json.out());
    assertThat(record.get("id").asText()).isEqualTo("Q1-2026");
    assertThat(record.get("rto").asText()).isEqualTo("2.4s");
    assertThat(record.get("syntheticRequests").asLong()).isEqualTo(1200);
    assertThat(refused.out()).contains("| Result | Refused |").contains("| Reason | " + REFUSAL);
    assertThat(unknown.exitCode()).as(unknown.toString()).isEqualTo(ExitCode.UNAVAILABLE);
    assertThat(unknown.err())
        .contains(
            "error: no drill Q9-2026 in RegionTopology "
                + topology
                + "; recorded drills: Q1-2026, Q2-2026");
  }
}
