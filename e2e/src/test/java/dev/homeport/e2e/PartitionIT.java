package dev.homeport.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.homeport.e2e.history.AppliedWrite;
import dev.homeport.e2e.history.CheckResult;
import dev.homeport.e2e.history.ClientOp;
import dev.homeport.e2e.history.HistoryChecker;
import dev.homeport.e2e.history.Timeline;
import dev.homeport.e2e.report.Scenario;
import dev.homeport.e2e.report.ScenarioReport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * mumbai cut off from the other regions and from the operator while clients everywhere keep writing
 * and incrementing counters: mumbai fences its own writes when its lease runs out, and only then
 * does singapore serve mumbai's keys (no split-brain). Counters keep counting on both sides of the
 * partition and, once it heals, every region reports exactly the acknowledged totals.
 */
class PartitionIT extends LocalSystemScenario {

  private static final List<String> COUNTERS = List.of("likes", "views");

  @Test
  void thePartitionedRegionFencesBeforeAPeerServesAndCountersConvergeExactlyAfterHealing()
      throws Exception {
    Scenario scenario = ScenarioReport.shared().scenario("Partition of mumbai, then healing");
    List<String> mumbaiKeys = system.keysHomedIn("mumbai", "cut-mumbai-", 20);
    List<String> keys = new ArrayList<>(mumbaiKeys);
    keys.addAll(system.keysHomedIn("frankfurt", "cut-frankfurt-", 10));
    keys.addAll(system.keysHomedIn("singapore", "cut-singapore-", 10));
    Set<String> mumbai = Set.copyOf(mumbaiKeys);

    long start = System.nanoTime();
    long cut;
    long failedOver;
    long healed;
    long failedBack;
    try (ClientLoad load =
            new ClientLoad(
                system.history(),
                Scenarios.entries(system, system.regionNames()),
                keys,
                12,
                ClientLoad.Mix.withIncrements(0.3, COUNTERS),
                Duration.ofMillis(10),
                Duration.ofSeconds(120));
        // mumbai's own users, writing their keys where they are.
        ClientLoad local =
            new ClientLoad(
                system.history(),
                Scenarios.entries(system, List.of("mumbai")),
                mumbaiKeys,
                2,
                ClientLoad.Mix.WRITES,
                Duration.ofMillis(10),
                Duration.ofSeconds(120))) {
      await().atMost(Duration.ofSeconds(20)).until(() -> load.acknowledged() >= 500);
      cut = System.nanoTime();
      system.faults().partition("mumbai", system.everythingBut("mumbai"));
      scenario.event(cut, "mumbai partitioned");
      system.awaitSummary(
          "mumbai:FailedOver>singapore frankfurt:Active singapore:Active", Duration.ofSeconds(30));
      failedOver = System.nanoTime();
      scenario.event(failedOver, "operator: FailedOver>singapore");
      long since = failedOver;
      // Clients entering mumbai for other regions' keys wait out their timeout on the cut links,
      // so fewer requests complete during the partition.
      await()
          .atMost(Duration.ofSeconds(40))
          .until(() -> acknowledgedSince(since, mumbai, "singapore") >= 30);

      healed = System.nanoTime();
      system.faults().heal("mumbai");
      scenario.event(healed, "partition healed");
      system.awaitSummary(system.allActive(), Duration.ofSeconds(60));
      failedBack = System.nanoTime();
      scenario.event(failedBack, "operator: mumbai Active");
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> acknowledgedSince(failedBack, mumbai, "mumbai") >= 100);
    }

    // Counters: wait until all regions agree, then record what each reports.
    long settled = System.nanoTime();
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                COUNTERS.stream()
                    .allMatch(
                        counter ->
                            system.regionNames().stream()
                                    .map(region -> system.counter(region, counter))
                                    .distinct()
                                    .count()
                                == 1));
    Duration convergence = Duration.ofNanos(System.nanoTime() - settled);
    for (String counter : COUNTERS) {
      for (String region : system.regionNames()) {
        system.history().counterReading(counter, region, system.counter(region, counter));
      }
    }

    // Fence before failover: mumbai's last write for its keys came before singapore's first.
    long lastAtMumbai = Long.MIN_VALUE;
    long firstAtSingapore = Long.MAX_VALUE;
    for (AppliedWrite write : system.history().appliedWrites()) {
      if (!mumbai.contains(write.key()) || write.atNanos() < cut || write.atNanos() > healed) {
        continue;
      }
      if (write.region().equals("mumbai")) {
        lastAtMumbai = Math.max(lastAtMumbai, write.atNanos());
      } else if (write.region().equals("singapore")) {
        firstAtSingapore = Math.min(firstAtSingapore, write.atNanos());
      }
    }
    List<ClientOp> ops =
        system.history().ops().stream().filter(op -> op.startNanos() >= start).toList();
    Timeline timeline = Timeline.of(ops);
    CheckResult result =
        HistoryChecker.check(
            system.history(), HistoryChecker.Policy.strict(LocalSystem.FAST_LEASE_AND_SKEW));
    long otherRefused =
        ops.stream()
            .filter(
                op ->
                    op.kind() == ClientOp.Kind.WRITE
                        && !mumbai.contains(op.key())
                        && !op.entryRegion().equals("mumbai")
                        && !op.acknowledged())
            .count();
    Map<String, Long> totals = new HashMap<>();
    COUNTERS.forEach(counter -> totals.put(counter, system.counter("mumbai", counter)));
    scenario
        .figure("mumbai's last write after the cut", Duration.ofNanos(lastAtMumbai - cut))
        .figure(
            "singapore's first write for mumbai's keys", Duration.ofNanos(firstAtSingapore - cut))
        .figure("no home taking mumbai's writes", Duration.ofNanos(firstAtSingapore - lastAtMumbai))
        .figure("operator's failover after the cut", Duration.ofNanos(failedOver - cut))
        .figure("failback after healing", Duration.ofNanos(failedBack - healed))
        .figure("counters converged after the load stopped", convergence)
        .figure("counter totals", totals.toString())
        .figure(
            "frankfurt's and singapore's keys refused or failed (entering there)",
            Long.toString(otherRefused))
        .check(result)
        .timeline(timeline)
        .done();

    assertThat(lastAtMumbai).as("mumbai took writes after the cut").isGreaterThan(cut);
    assertThat(firstAtSingapore).as("singapore took over").isLessThan(Long.MAX_VALUE);
    assertThat(lastAtMumbai)
        .as("mumbai fenced itself before singapore served a single write")
        .isLessThan(firstAtSingapore);
    assertThat(result.lost()).as(result.summary()).isZero();
    assertThat(result.doubled()).as(result.summary()).isZero();
    assertThat(result.splitBrain()).as(result.summary()).isZero();
    assertThat(result.misattributed()).as(result.summary()).isZero();
    assertThat(result.counterMismatches()).as(result.summary()).isZero();
    assertThat(result.counters()).hasSize(COUNTERS.size());
    assertThat(otherRefused)
        .as("the regions on the healthy side kept their leases and served their keys throughout")
        .isZero();
  }

  private long acknowledgedSince(long since, Set<String> keys, String region) {
    return system.history().ops().stream()
        .filter(
            op ->
                op.startNanos() >= since
                    && keys.contains(op.key())
                    && op.acknowledged()
                    && region.equals(op.servedBy()))
        .count();
  }
}
