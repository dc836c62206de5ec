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
import org.junit.jupiter.api.Test;

/**
 * Unplanned outages under load: a whole region killed (front-door, Redis and application at once,
 * SIGKILL), the same with the operator killed and restarted in the middle of the failover, and a
 * region's Redis alone killed. Each time the region's keys are served by its peer once its lease
 * has run out, and by the region again after it returns and stays healthy; the RTO and the failback
 * are measured from the clients' side, and the history shows no write lost, doubled or taken by two
 * homes at once, and no other region's keys disturbed.
 */
class RegionFailureIT extends LocalSystemScenario {

  /** What goes wrong, and how it is put right. */
  private interface Outage {
    void fail(Scenario scenario) throws Exception;

    void restore(Scenario scenario) throws Exception;

    /**
     * Whether the other regions' writes may be refused too: while the operator is down nobody
     * renews any lease, so after leaseDuration every region fences its writes (reads go on).
     */
    default boolean stopsLeaseRenewals() {
      return false;
    }
  }

  @Test
  void aKilledRegionsKeysAreServedByItsPeerWithinTheRtoAndComeHomeAfterwards() throws Exception {
    outage(
        "Unplanned region failure (mumbai)",
        "mumbai",
        "singapore",
        new Outage() {
          @Override
          public void fail(Scenario scenario) {
            system.kill("mumbai");
            scenario.event("mumbai killed");
          }

          @Override
          public void restore(Scenario scenario) {
            system.restore("mumbai");
            scenario.event("mumbai back");
          }
        });
  }

  @Test
  void theOperatorKilledAndRestartedDuringAFailoverFinishesItSafely() throws Exception {
    outage(
        "Operator killed during the failover of frankfurt",
        "frankfurt",
        "singapore",
        new Outage() {
          @Override
          public void fail(Scenario scenario) {
            system.kill("frankfurt");
            scenario.event("frankfurt killed");
            await()
                .atMost(Duration.ofSeconds(20))
                .until(() -> system.summary().contains("frankfurt:Fenced"));
            system.killOperator();
            scenario.event("operator killed (frankfurt Fenced)");
            long killed = System.nanoTime();
            await()
                .pollDelay(Duration.ofSeconds(3))
                .atMost(Duration.ofSeconds(4))
                .until(() -> System.nanoTime() - killed >= 3_000_000_000L);
            system.startOperator();
            scenario.event("operator started again");
          }

          @Override
          public void restore(Scenario scenario) {
            system.restore("frankfurt");
            scenario.event("frankfurt back");
          }

          @Override
          public boolean stopsLeaseRenewals() {
            return true;
          }
        });
  }

  @Test
  void aRegionWhoseRedisDiesIsFencedAndServedByItsPeerUntilRedisIsBack() throws Exception {
    outage(
        "Redis of singapore killed",
        "singapore",
        "mumbai",
        new Outage() {
          @Override
          public void fail(Scenario scenario) {
            system.killRedis("singapore");
            scenario.event("singapore's Redis killed");
          }

          @Override
          public void restore(Scenario scenario) {
            system.restartRedis("singapore");
            scenario.event("singapore's Redis back (empty)");
          }
        });
  }

  private void outage(String name, String region, String peer, Outage outage) throws Exception {
    Scenario scenario = ScenarioReport.shared().scenario(name);
    system.awaitSummary(system.allActive(), Duration.ofSeconds(60));
    List<String> regionKeys = system.keysHomedIn(region, "out-" + region + "-", 30);
    List<String> keys = new ArrayList<>(regionKeys);
    List<String> entries = new ArrayList<>();
    for (String other : system.regionNames()) {
      if (!other.equals(region)) {
        keys.addAll(system.keysHomedIn(other, "out-" + region + "-" + other + "-", 15));
        entries.add(other);
      }
    }
    Set<String> affected = Set.copyOf(regionKeys);
    Predicate<ClientOp> forRegion = op -> affected.contains(op.key());
    String failedOver =
        system.regionNames().stream()
            .map(r -> r.equals(region) ? r + ":FailedOver>" + peer : r + ":Active")
            .reduce((a, b) -> a + " " + b)
            .orElseThrow();

    long start = System.nanoTime();
    long failed;
    long flipped;
    long restored;
    long failedBack;
    try (ClientLoad load =
        new ClientLoad(
            system.history(),
            Scenarios.entries(system, entries),
            keys,
            8,
            ClientLoad.Mix.WRITES,
            Duration.ofMillis(10),
            Duration.ofSeconds(120))) {
      await().atMost(Duration.ofSeconds(20)).until(() -> load.acknowledged() >= 500);
      failed = System.nanoTime();
      outage.fail(scenario);
      system.awaitSummary(failedOver, Duration.ofSeconds(40));
      flipped = System.nanoTime();
      scenario.event(flipped, "operator: FailedOver>" + peer);
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> system.history().servedSince(flipped, forRegion, peer) >= 200);

      restored = System.nanoTime();
      outage.restore(scenario);
      system.awaitSummary(system.allActive(), Duration.ofSeconds(60));
      failedBack = System.nanoTime();
      scenario.event(failedBack, "operator: " + region + " Active");
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> system.history().servedSince(failedBack, forRegion, region) >= 200);
    }

    List<ClientOp> ops =
        system.history().ops().stream().filter(op -> op.startNanos() >= start).toList();
    Timeline timeline = Timeline.of(ops);
    Duration rto =
        Timeline.of(ops.stream().filter(op -> op.startNanos() < restored).toList())
            .rto(failed, forRegion)
            .orElseThrow();
    CheckResult result =
        HistoryChecker.check(
            system.history(), HistoryChecker.Policy.strict(LocalSystem.FAST_LEASE_AND_SKEW));
    long otherFailures =
        ops.stream().filter(op -> !affected.contains(op.key()) && !op.acknowledged()).count();
    scenario
        .figure("RTO (outage to " + region + "'s keys served again)", rto)
        .figure("operator's failover after the outage", Duration.ofNanos(flipped - failed))
        .figure("failback after " + region + " returned", Duration.ofNanos(failedBack - restored))
        .figure("write unavailability p50", timeline.windowP50())
        .figure("write unavailability p99", timeline.windowP99())
        .figure(
            outage.stopsLeaseRenewals()
                ? "other regions' writes refused (no lease renewals while the operator was down)"
                : "other regions' keys refused or failed",
            Long.toString(otherFailures))
        .check(result)
        .timeline(timeline)
        .done();

    assertThat(result.lost()).as(result.summary()).isZero();
    assertThat(result.doubled()).as(result.summary()).isZero();
    assertThat(result.splitBrain()).as(result.summary()).isZero();
    assertThat(result.misattributed()).as(result.summary()).isZero();
    assertThat(rto)
        .as("never before the region's lease and the skew margin ran out")
        .isGreaterThan(LocalSystem.FAST_LEASE_AND_SKEW);
    if (!outage.stopsLeaseRenewals()) {
      assertThat(otherFailures).as("the other regions' keys were never affected").isZero();
    }
  }
}
