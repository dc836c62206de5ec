package dev.homeport.bench.controlplane;

import static org.awaitility.Awaitility.await;

import dev.homeport.e2e.ClientLoad;
import dev.homeport.e2e.LocalSystem;
import dev.homeport.e2e.history.CheckResult;
import dev.homeport.e2e.history.ClientOp;
import dev.homeport.e2e.history.HistoryChecker;
import dev.homeport.e2e.history.Timeline;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Part 4 of the benchmarks, failover: the RTO distribution of unplanned region outages on the local
 * system. Each run takes one region down at once under write load (front-door, Redis and
 * application killed), as an outage does, and measures the time from the kill until every write for
 * that region's keys is acknowledged again (by its peer); then the region comes back, empty, and
 * the run waits for the automatic failback before the next. The regions take turns.
 */
public final class FailoverRuns {

  private static final Logger log = LoggerFactory.getLogger(FailoverRuns.class);

  private static final Pattern FAILED_OVER = Pattern.compile("(\\S+):FailedOver>(\\S+)");

  /**
   * One outage.
   *
   * @param rtoMillis from the kill until every write for the region's keys was acknowledged again
   * @param failoverMillis from the kill until the topology's status showed the region FailedOver
   * @param failbackMillis from the region's return until the status showed every region Active
   * @param unavailabilityP99Millis per-key write unavailability p99 of the region's keys
   * @param refused writes for the region's keys refused or failed during the run (each retried)
   */
  public record Run(
      int number,
      String region,
      String peer,
      long rtoMillis,
      long failoverMillis,
      long failbackMillis,
      long unavailabilityP99Millis,
      long refused) {}

  /**
   * @param timings the failover settings the runs used
   * @param floorMillis lease plus skew margin: no RTO can be shorter
   * @param acknowledged writes acknowledged over all runs
   * @param lost acknowledged writes the applications never applied (the history checker)
   * @param doubled writes applied twice
   * @param splitBrain keys written by two regions at once
   */
  public record Result(
      String timings,
      long floorMillis,
      List<Run> runs,
      long acknowledged,
      long lost,
      long doubled,
      long splitBrain,
      String commands) {

    /** The runs' RTOs in milliseconds, sorted. */
    public long[] rtoMillis() {
      return runs.stream().mapToLong(Run::rtoMillis).sorted().toArray();
    }
  }

  private final LocalSystem system;
  private final int runs;

  public FailoverRuns(LocalSystem system, int runs) {
    this.system = system;
    this.runs = runs;
  }

  public Result run() throws Exception {
    List<String> regions = system.regionNames();
    List<Run> done = new ArrayList<>();
    long started = System.nanoTime();
    for (int i = 0; i < runs; i++) {
      Run run = outage(i + 1, regions.get(i % regions.size()));
      log.info(
          "Failover run {}/{}: {} -> {}: RTO {} ms (status FailedOver after {} ms; failback {} ms)",
          run.number(),
          runs,
          run.region(),
          run.peer(),
          run.rtoMillis(),
          run.failoverMillis(),
          run.failbackMillis());
      done.add(run);
    }
    List<ClientOp> ops =
        system.history().ops().stream().filter(op -> op.startNanos() >= started).toList();
    CheckResult check =
        HistoryChecker.check(
            system.history(), HistoryChecker.Policy.strict(LocalSystem.FAST_LEASE_AND_SKEW));
    return new Result(
        "leaseDuration 2s, probeInterval 500ms, failureThreshold 3, skewMargin 1s, failback"
            + " Automatic after stableFor 5s",
        LocalSystem.FAST_LEASE_AND_SKEW.toMillis(),
        done,
        ops.stream().filter(ClientOp::acknowledged).count(),
        check.lost(),
        check.doubled(),
        check.splitBrain(),
        runs
            + " outages, the regions in turn: the region's front-door, Redis and application"
            + " killed (SIGKILL) under 8 writing clients, restored once its peer serves, failback"
            + " awaited");
  }

  private Run outage(int number, String region) throws Exception {
    system.awaitSummary(system.allActive(), Duration.ofSeconds(90));
    List<String> regionKeys = system.keysHomedIn(region, "rto" + number + "-" + region + "-", 30);
    List<String> keys = new ArrayList<>(regionKeys);
    Map<String, URI> entries = new LinkedHashMap<>();
    for (String other : system.regionNames()) {
      if (!other.equals(region)) {
        keys.addAll(system.keysHomedIn(other, "rto" + number + "-" + other + "-", 10));
        entries.put(other, system.region(other).url());
      }
    }
    Set<String> affected = Set.copyOf(regionKeys);
    Predicate<ClientOp> forRegion = op -> affected.contains(op.key());

    long failed;
    long flipped;
    long restored;
    long failedBack;
    String peer;
    try (ClientLoad load =
        new ClientLoad(
            system.history(),
            entries,
            keys,
            8,
            ClientLoad.Mix.WRITES,
            Duration.ofMillis(10),
            Duration.ofSeconds(150))) {
      await("writes under way")
          .atMost(Duration.ofSeconds(20))
          .until(() -> load.acknowledged() >= 200);
      failed = System.nanoTime();
      system.kill(region);
      peer =
          await(region + " failed over")
              .atMost(Duration.ofSeconds(40))
              .pollInterval(Duration.ofMillis(20))
              .until(() -> peerServing(region), Objects::nonNull);
      flipped = System.nanoTime();
      await(peer + " serving " + region + "'s keys")
          .atMost(Duration.ofSeconds(20))
          .until(() -> system.history().servedSince(flipped, forRegion, peer) >= 100);
      restored = System.nanoTime();
      system.restore(region);
      system.awaitSummary(system.allActive(), Duration.ofSeconds(90));
      failedBack = System.nanoTime();
      await(region + " serving its keys again")
          .atMost(Duration.ofSeconds(20))
          .until(() -> system.history().servedSince(failedBack, forRegion, region) >= 50);
    }
    // The region's keys' requests while it was down.
    List<ClientOp> during =
        system.history().ops().stream()
            .filter(op -> op.startNanos() >= failed && op.startNanos() < restored)
            .filter(forRegion)
            .toList();
    Timeline timeline = Timeline.of(during);
    long rto =
        timeline
            .rto(failed, forRegion)
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        region + "'s keys were never served again before it returned"))
            .toMillis();
    long refused = during.stream().filter(op -> !op.acknowledged()).count();
    return new Run(
        number,
        region,
        peer,
        rto,
        (flipped - failed) / 1_000_000,
        (failedBack - restored) / 1_000_000,
        timeline.windowP99().toMillis(),
        refused);
  }

  /** The peer serving {@code region} by the topology's status; null unless it is failed over. */
  private String peerServing(String region) {
    Matcher matcher = FAILED_OVER.matcher(system.summary());
    while (matcher.find()) {
      if (matcher.group(1).equals(region)) {
        return matcher.group(2);
      }
    }
    return null;
  }
}
