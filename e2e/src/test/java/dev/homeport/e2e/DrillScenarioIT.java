package dev.homeport.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.homeport.contract.Durations;
import dev.homeport.crds.v1alpha1.RegionTopology;
import dev.homeport.crds.v1alpha1.status.DrillRecord;
import dev.homeport.crds.v1alpha1.status.RegionPhase;
import dev.homeport.crds.v1alpha1.status.RegionStatus;
import dev.homeport.e2e.history.CheckResult;
import dev.homeport.e2e.history.ClientOp;
import dev.homeport.e2e.history.HistoryChecker;
import dev.homeport.e2e.history.Timeline;
import dev.homeport.e2e.report.Scenario;
import dev.homeport.e2e.report.ScenarioReport;
import dev.homeport.testkit.CommandResult;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Quarterly failover drills on the local system, started and followed with {@code kubectl homeport}
 * as an SRE does: a drill of each region under client load (RTO from the drill's report, and no
 * client write failing outside the windows in which the drill fences the region), a drill aborted
 * because its peer's application starts failing, and drills refused before they touch anything.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DrillScenarioIT extends LocalSystemScenario {

  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * How far the front-doors' view of a fence may lead or trail what the operator's status shows:
   * the operator publishes each routing table to every region's Redis before it writes the status
   * (and waits for a slow region at most half a renewal interval), each front-door loads the table
   * on a pub/sub message, the status is polled every 50 ms, and a proxied refusal crosses up to a
   * 160 ms link; on two busy cores each step can take hundreds of milliseconds.
   */
  private static final Duration FENCE_EDGE = Duration.ofSeconds(1);

  @Test
  @Order(1)
  void aDrillOfEachRegionUnderLoadEndsWithItsRtoAndNoWriteFailingOutsideItsFence()
      throws Exception {
    for (String region : system.regionNames()) {
      drillUnderLoad(region);
    }
  }

  private void drillUnderLoad(String region) throws Exception {
    Scenario scenario = ScenarioReport.shared().scenario("Drill of " + region + " under load");
    system.awaitSummary(system.allActive(), Duration.ofSeconds(60));
    List<String> regionKeys = system.keysHomedIn(region, "drill-" + region + "-", 30);
    List<String> keys = new ArrayList<>(regionKeys);
    for (String other : system.regionNames()) {
      if (other.equals(region)) {
        continue;
      }
      keys.addAll(system.keysHomedIn(other, "drill-" + region + "-" + other + "-", 15));
    }
    Set<String> drilled = Set.copyOf(regionKeys);
    String id = "e2e-" + region;

    long start = System.nanoTime();
    CommandResult started;
    List<Window> fenced;
    try (PhaseWatch watch = new PhaseWatch(region, id);
        ClientLoad load =
            new ClientLoad(
                system.history(),
                Scenarios.entries(system, system.regionNames()),
                keys,
                8,
                ClientLoad.Mix.withReads(0.2),
                Duration.ofMillis(10),
                Duration.ofSeconds(150))) {
      await().atMost(Duration.ofSeconds(20)).until(() -> load.acknowledged() >= 300);
      scenario.event("kubectl homeport drill start " + region);
      watch.requested(System.nanoTime());
      started = system.plugin("drill", "start", region, "--hold", "5s", "--id", id, "--wait", "3m");
      scenario.event("drill " + id + " ended");
      // Writes after the drill: every key is served by its home again.
      long ended = System.nanoTime();
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> servedSince(ended, drilled, region) >= 100);
      fenced = watch.fencedWindows();
    }
    assertThat(started.exitCode()).as(started.toString()).isZero();
    Map<?, ?> report = report(id);
    assertThat(report.get("result")).as(report.toString()).isEqualTo("Succeeded");
    Duration rto = Durations.parse((String) report.get("rto"));
    String peer = (String) report.get("peer");

    List<ClientOp> ops =
        system.history().ops().stream().filter(op -> op.startNanos() >= start).toList();
    List<ClientOp> failed = ops.stream().filter(op -> !op.acknowledged()).toList();
    List<ClientOp> outsideFence =
        failed.stream()
            .filter(
                op ->
                    op.outcome() != ClientOp.Outcome.REFUSED
                        || !drilled.contains(op.key())
                        || fenced.stream().noneMatch(w -> w.covers(op.startNanos())))
            .toList();
    List<ClientOp> writesOutsideFence =
        outsideFence.stream().filter(op -> op.kind() != ClientOp.Kind.READ).toList();
    List<ClientOp> readsOutsideFence =
        outsideFence.stream()
            .filter(op -> op.kind() == ClientOp.Kind.READ)
            .filter(op -> op.outcome() == ClientOp.Outcome.REFUSED)
            .toList();
    Timeline timeline = Timeline.of(ops);
    CheckResult result =
        HistoryChecker.check(
            system.history(), HistoryChecker.Policy.strict(LocalSystem.FAST_LEASE_AND_SKEW));
    scenario
        .figure("RTO (drill report: start to every synthetic request served by " + peer + ")", rto)
        .figure("RPO proxy (drill report)", String.valueOf(report.get("rpo")))
        .figure("replication lag at the cut (writes)", String.valueOf(report.get("replicationLag")))
        .figure("fenced windows seen in the status", describe(fenced))
        .figure(
            "client requests refused inside the fenced windows",
            Long.toString(failed.size() - outsideFence.size()))
        .figure("client writes failed outside them", Long.toString(writesOutsideFence.size()))
        .figure(
            "client reads refused outside them (by status)",
            readsOutsideFence.stream()
                .map(op -> Integer.toString(op.status()))
                .reduce((a, b) -> a + ", " + b)
                .orElse("none"))
        .figure("write unavailability p99 (" + region + "'s keys)", timeline.windowP99())
        .check(result)
        .timeline(timeline)
        .done();

    assertThat(writesOutsideFence)
        .as("writes that failed outside the drill's fenced windows (%s)", describe(fenced))
        .isEmpty();
    // A read may be refused just after a flip while the regions' front-doors hold tables one
    // epoch apart (508 from a peer that no longer serves the key); it is reported, not hidden,
    // and it must be a definite refusal, never an unknown outcome.
    assertThat(outsideFence)
        .as("reads that failed outside the fences other than by a definite refusal")
        .allMatch(
            op -> op.kind() == ClientOp.Kind.READ && op.outcome() == ClientOp.Outcome.REFUSED);
    assertThat(fenced)
        .as("the drill fences the region twice: before the flip and the failback")
        .hasSize(2);
    assertThat(rto)
        .as("never before the lease and the skew margin ran out")
        .isGreaterThan(LocalSystem.FAST_LEASE_AND_SKEW);
    assertThat(result.lost()).as(result.summary()).isZero();
    assertThat(result.doubled()).as(result.summary()).isZero();
    assertThat(result.splitBrain()).as(result.summary()).isZero();
    assertThat(result.misattributed()).as(result.summary()).isZero();
    assertThat(result.staleReads())
        .as("the peer serves only after it has caught up: %s", result.summary())
        .isZero();
  }

  @Test
  @Order(2)
  void aDrillWhosePeerStartsFailingIsAbortedAndFailsBackAtOnceSayingWhy() throws Exception {
    Scenario scenario = ScenarioReport.shared().scenario("Drill aborted by a failing peer");
    system.awaitSummary(system.allActive(), Duration.ofSeconds(60));
    String id = "e2e-abort";
    CommandResult started = system.plugin("drill", "start", "mumbai", "--hold", "10m", "--id", id);
    assertThat(started.exitCode()).as(started.toString()).isZero();
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> drill(id).map(d -> "Holding".equals(phase(d))).orElse(false));
    String peer = drill(id).orElseThrow().getPeer();

    long injected = System.nanoTime();
    system.backends().fail(peer, 500);
    scenario.event("500s injected into " + peer + "'s application");
    try {
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  drill(id)
                      .map(d -> ended(d) || !Set.of("Verifying", "Holding").contains(phase(d)))
                      .orElse(false));
      long abortSeen = System.nanoTime();
      scenario.event(abortSeen, "drill stopped holding");
      system.awaitSummary(system.allActive(), Duration.ofSeconds(30));
      long back = System.nanoTime();
      scenario.event(back, "mumbai Active");
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> drill(id).map(DrillScenarioIT::ended).orElse(false));
      DrillRecord record = drill(id).orElseThrow();
      CommandResult status = system.plugin("drill", "status");
      CommandResult md = system.plugin("drill", "report", id, "--format", "md");
      scenario
          .figure(
              "500s injected to the drill giving up its hold",
              Duration.ofNanos(abortSeen - injected))
          .figure(
              "500s injected to mumbai serving its keys again", Duration.ofNanos(back - injected))
          .figure("reason", record.getReason())
          .done();

      assertThat(record.getResult()).hasToString("Aborted");
      assertThat(record.getReason()).contains("errorRate").contains("over 0.05");
      assertThat(status.exitCode()).as(status.toString()).isZero();
      assertThat(status.stdout()).contains(id).contains("Aborted");
      assertThat(md.stdout()).contains("| Result | Aborted").contains("errorRate");
      assertThat(Duration.ofNanos(back - injected))
          .as("aborted on the first failing rounds and failed back without holding on")
          .isLessThan(Duration.ofSeconds(20));
    } finally {
      system.backends().heal(peer);
    }
  }

  @Test
  @Order(3)
  void aDrillIsRefusedInABlockedWindowWhileAnotherRegionIsFailedOverOrWithoutPeerCapacity()
      throws Exception {
    Scenario scenario = ScenarioReport.shared().scenario("Drills refused");
    system.awaitSummary(system.allActive(), Duration.ofSeconds(60));
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);

    patch(
        "merge",
        String.format(
            "{\"spec\":{\"drillPolicy\":{\"blockedWindows\":[{\"start\":\"%s\",\"end\":\"%s\","
                + "\"reason\":\"e2e change freeze\"}]}}}",
            now.minus(Duration.ofHours(1)), now.plus(Duration.ofHours(1))));
    CommandResult blocked = refused("e2e-blocked", "mumbai");
    patch("merge", "{\"spec\":{\"drillPolicy\":{\"blockedWindows\":null}}}");
    assertThat(blocked.output()).contains("blocked window").contains("e2e change freeze");

    // The operator fails over only a region that is down (an approval does not fail over a
    // healthy one), so frankfurt goes down for real.
    system.kill("frankfurt");
    system.awaitSummary(
        "mumbai:Active frankfurt:FailedOver>singapore singapore:Active", Duration.ofSeconds(40));
    CommandResult failedOver = refused("e2e-failed-over", "mumbai", false);
    system.restore("frankfurt");
    system.awaitSummary(system.allActive(), Duration.ofSeconds(60));
    assertThat(failedOver.output()).contains("frankfurt");

    int singapore = system.regionNames().indexOf("singapore");
    patch(
        "json",
        "[{\"op\":\"replace\",\"path\":\"/spec/regions/"
            + singapore
            + "/capacityWeight\",\"value\":50}]");
    CommandResult noCapacity = refused("e2e-no-capacity", "mumbai");
    patch(
        "json",
        "[{\"op\":\"replace\",\"path\":\"/spec/regions/"
            + singapore
            + "/capacityWeight\",\"value\":100}]");
    assertThat(noCapacity.output()).contains("singapore has capacityWeight 50");

    scenario
        .figure("inside a blocked window", firstLine(blocked))
        .figure("while frankfurt is failed over", firstLine(failedOver))
        .figure("peer without capacity", firstLine(noCapacity))
        .done();
  }

  /** Starts a drill that must be refused; the plugin exits 1 and prints the operator's reason. */
  private CommandResult refused(String id, String region) {
    return refused(id, region, true);
  }

  /**
   * Starts a drill that must be refused; the plugin exits 1 and prints the operator's reason, and
   * nothing was touched (all regions still Active, when they were).
   */
  private CommandResult refused(String id, String region, boolean allActive) {
    String before = system.summary();
    CommandResult result = system.plugin("drill", "start", region, "--id", id, "--wait", "1m");
    assertThat(result.exitCode()).as(result.toString()).isEqualTo(1);
    assertThat(result.output()).contains("Refused");
    assertThat(drill(id).map(DrillRecord::getResult).map(Object::toString)).contains("Refused");
    assertThat(system.summary()).isEqualTo(before);
    if (allActive) {
      assertThat(before).isEqualTo(system.allActive());
    }
    return result;
  }

  private static boolean ended(DrillRecord record) {
    return record.getResult() != null && !"Running".equals(record.getResult().toString());
  }

  private void patch(String type, String patch) {
    CommandResult result =
        system.kubectl(
            "patch", "regiontopology", LocalSystem.TOPOLOGY, "--type", type, "-p", patch);
    assertThat(result.exitCode()).as(result.toString()).isZero();
  }

  /** The plugin's error line: the operator's reason for the refusal. */
  private static String firstLine(CommandResult result) {
    return result
        .output()
        .lines()
        .filter(line -> line.startsWith("error:"))
        .findFirst()
        .orElse(result.output().strip());
  }

  private Map<?, ?> report(String id) throws Exception {
    CommandResult json = system.plugin("drill", "report", id, "--format", "json");
    assertThat(json.exitCode()).as(json.toString()).isZero();
    return JSON.readValue(json.stdout(), Map.class);
  }

  private Optional<DrillRecord> drill(String id) {
    return drill(system.topology(), id);
  }

  private static Optional<DrillRecord> drill(RegionTopology topology, String id) {
    if (topology.getStatus() == null || topology.getStatus().getDrills() == null) {
      return Optional.empty();
    }
    return topology.getStatus().getDrills().stream().filter(d -> id.equals(d.getId())).findFirst();
  }

  private static String phase(DrillRecord record) {
    return record.getPhase() == null ? null : record.getPhase().toString();
  }

  private long servedSince(long since, Set<String> keys, String region) {
    return system.history().ops().stream()
        .filter(
            op ->
                op.startNanos() >= since
                    && keys.contains(op.key())
                    && op.acknowledged()
                    && region.equals(op.servedBy()))
        .count();
  }

  private static String describe(List<Window> windows) {
    return windows.stream()
        .map(w -> String.format("%.0f ms", (w.to - w.from) / 1e6))
        .reduce((a, b) -> a + ", " + b)
        .orElse("none");
  }

  /** A span of {@link System#nanoTime()} in which the drill fenced the region's writes. */
  private record Window(long from, long to) {
    boolean covers(long nanos) {
      return nanos >= from - FENCE_EDGE.toNanos() && nanos <= to + FENCE_EDGE.toNanos();
    }
  }

  /**
   * Polls the RegionTopology every 50 ms and keeps when the drilled region's writes were fenced by
   * design: while the region is Fenced (before the flip) and while the drill fails back (the peer
   * has stopped serving, the region does not hold its lease yet).
   */
  private final class PhaseWatch implements AutoCloseable {
    private final String region;
    private final String id;
    private final List<long[]> samples = new CopyOnWriteArrayList<>(); // {nanos, fenced 0|1}
    private final ScheduledExecutorService sampler =
        Executors.newSingleThreadScheduledExecutor(
            task -> {
              Thread thread = new Thread(task, "phase-watch");
              thread.setDaemon(true);
              return thread;
            });
    private volatile long requested = -1;

    PhaseWatch(String region, String id) {
      this.region = region;
      this.id = id;
      sampler.scheduleWithFixedDelay(this::sample, 0, 50, TimeUnit.MILLISECONDS);
    }

    private void sample() {
      long now = System.nanoTime();
      try {
        samples.add(new long[] {now, fenced() ? 1 : 0});
      } catch (RuntimeException e) {
        // A failed read leaves a gap; the windows are built from the reads that worked.
      }
    }

    private boolean fenced() {
      RegionTopology topology = system.topology();
      if (topology.getStatus() == null) {
        return false;
      }
      RegionPhase phase =
          topology.getStatus().getRegions().stream()
              .filter(r -> region.equals(r.getName()))
              .map(RegionStatus::getPhase)
              .filter(Objects::nonNull)
              .findFirst()
              .orElse(null);
      boolean failingBack =
          phase == RegionPhase.Recovering
              || drill(topology, id)
                  .map(d -> !ended(d) && "FailingBack".equals(phase(d)))
                  .orElse(false);
      return phase == RegionPhase.Fenced || failingBack;
    }

    /**
     * When the drill was requested: the first fence starts after it, but the front-doors refuse
     * writes as soon as the operator has published the fence, before its status shows it.
     */
    void requested(long nanos) {
      requested = nanos;
    }

    List<Window> fencedWindows() {
      List<Window> windows = new ArrayList<>();
      long from = -1;
      long last = -1;
      for (long[] sample : samples) {
        if (sample[1] == 1 && from < 0) {
          // The first fence began after the request; a later one at most a period before it was
          // seen.
          from = windows.isEmpty() && requested >= 0 ? requested : last < 0 ? sample[0] : last;
        } else if (sample[1] == 0 && from >= 0) {
          windows.add(new Window(from, sample[0]));
          from = -1;
        }
        last = sample[0];
      }
      if (from >= 0) {
        windows.add(new Window(from, last));
      }
      return windows;
    }

    @Override
    public void close() throws InterruptedException {
      sampler.shutdown();
      sampler.awaitTermination(5, TimeUnit.SECONDS);
    }
  }
}
