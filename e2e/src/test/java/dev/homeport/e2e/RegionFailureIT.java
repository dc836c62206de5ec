package dev.homeport.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.homeport.e2e.history.CheckResult;
import dev.homeport.e2e.history.ClientOp;
import dev.homeport.e2e.history.HistoryChecker;
import dev.homeport.e2e.history.Timeline;
import dev.homeport.e2e.report.Scenario;
import dev.homeport.e2e.report.ScenarioReport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * An unplanned region failure under load: mumbai's front-door, Redis and application die at once
 * (SIGKILL). Its keys are served by singapore once mumbai's lease has run out, and by mumbai again
 * after it returns and stays healthy; the RTO and the failback are measured from the clients' point
 * of view, and the history shows no write lost, doubled or taken by two homes at once.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RegionFailureIT {

  private LocalSystem system;

  @BeforeAll
  void start() {
    system = Scenarios.start("region-failure");
  }

  @AfterAll
  void stop() {
    if (system != null) {
      system.close();
    }
  }

  @Test
  void aKilledRegionsKeysAreServedByItsPeerWithinTheRtoAndComeHomeAfterwards() throws Exception {
    Scenario scenario = ScenarioReport.shared().scenario("Unplanned region failure (mumbai)");
    List<String> mumbaiKeys = system.keysHomedIn("mumbai", "fail-mumbai-", 30);
    List<String> keys = new ArrayList<>(mumbaiKeys);
    keys.addAll(system.keysHomedIn("frankfurt", "fail-frankfurt-", 15));
    keys.addAll(system.keysHomedIn("singapore", "fail-singapore-", 15));
    Set<String> mumbai = Set.copyOf(mumbaiKeys);
    Predicate<ClientOp> forMumbai = op -> mumbai.contains(op.key());

    long start = System.nanoTime();
    long killed;
    long failedOver;
    long restored;
    long failedBack;
    try (ClientLoad load =
        new ClientLoad(
            system.history(),
            Scenarios.entries(system, List.of("frankfurt", "singapore")),
            keys,
            8,
            0,
            Duration.ofMillis(10),
            Duration.ofSeconds(90))) {
      await().atMost(Duration.ofSeconds(20)).until(() -> load.acknowledged() >= 500);
      killed = System.nanoTime();
      system.kill("mumbai");
      scenario.event(killed, "mumbai killed");
      system.awaitSummary(
          "mumbai:FailedOver>singapore frankfurt:Active singapore:Active", Duration.ofSeconds(30));
      failedOver = System.nanoTime();
      scenario.event(failedOver, "operator: FailedOver>singapore");
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> servedSince(failedOver, forMumbai, "singapore") >= 200);

      restored = System.nanoTime();
      system.restore("mumbai");
      scenario.event(restored, "mumbai back");
      system.awaitSummary(system.allActive(), Duration.ofSeconds(60));
      failedBack = System.nanoTime();
      scenario.event(failedBack, "operator: mumbai Active");
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> servedSince(failedBack, forMumbai, "mumbai") >= 200);
    }

    List<ClientOp> ops =
        system.history().ops().stream().filter(op -> op.startNanos() >= start).toList();
    Timeline timeline = Timeline.of(ops);
    long beforeReturn = restored;
    Duration rto =
        Timeline.of(ops.stream().filter(op -> op.startNanos() < beforeReturn).toList())
            .rto(killed, forMumbai)
            .orElseThrow();
    CheckResult result =
        HistoryChecker.check(
            system.history(), HistoryChecker.Policy.strict(Scenarios.LEASE_AND_SKEW));
    long otherFailures =
        ops.stream().filter(op -> !mumbai.contains(op.key()) && !op.acknowledged()).count();
    scenario
        .figure("RTO (kill to mumbai's keys served again)", rto)
        .figure("operator's failover after the kill", Duration.ofNanos(failedOver - killed))
        .figure("failback after mumbai returned", Duration.ofNanos(failedBack - restored))
        .figure("write unavailability p50", timeline.windowP50())
        .figure("write unavailability p99", timeline.windowP99())
        .figure("other regions' keys refused or failed", Long.toString(otherFailures))
        .check(result)
        .timeline(timeline)
        .done();

    assertThat(result.lost()).as(result.summary()).isZero();
    assertThat(result.doubled()).as(result.summary()).isZero();
    assertThat(result.splitBrain()).as(result.summary()).isZero();
    assertThat(result.misattributed()).as(result.summary()).isZero();
    assertThat(rto)
        .as("never before mumbai's lease and the skew margin ran out, within 10 s")
        .isGreaterThan(Scenarios.LEASE_AND_SKEW)
        .isLessThan(Duration.ofSeconds(10));
    assertThat(otherFailures).as("frankfurt's and singapore's keys were never affected").isZero();
  }

  private long servedSince(long since, Predicate<ClientOp> matching, String region) {
    return system.history().ops().stream()
        .filter(
            op ->
                op.startNanos() >= since
                    && matching.test(op)
                    && op.acknowledged()
                    && region.equals(op.servedBy()))
        .count();
  }
}
