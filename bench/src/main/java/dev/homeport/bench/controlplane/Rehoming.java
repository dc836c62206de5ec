package dev.homeport.bench.controlplane;

import static org.awaitility.Awaitility.await;

import dev.homeport.crds.v1alpha1.HomeAssignment;
import dev.homeport.crds.v1alpha1.status.HomeAssignmentStatus;
import dev.homeport.e2e.ClientLoad;
import dev.homeport.e2e.LocalSystem;
import dev.homeport.e2e.history.CheckResult;
import dev.homeport.e2e.history.ClientOp;
import dev.homeport.e2e.history.HistoryChecker;
import dev.homeport.e2e.history.Timeline;
import dev.homeport.testkit.CommandResult;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Part 4 of the benchmarks, re-homing: keys moved between home regions on the local system by a
 * {@code HomeAssignment} created with kubectl, under write load on the moving keys through every
 * front-door. Throughput is keys over the time from {@code kubectl create} until the assignment
 * reads Completed; per-key unavailability is how long clients' writes of one key were refused in a
 * row (each refused write is sent again until acknowledged) while its batch was fenced and drained.
 */
public final class Rehoming {

  private static final Logger log = LoggerFactory.getLogger(Rehoming.class);

  /** One move to time: {@code keys} keys homed in {@code from} moved to {@code to}. */
  public record Plan(String name, String from, String to, int keys, int rate) {}

  /**
   * One move's figures.
   *
   * @param message the assignment's status message (why, when it did not complete)
   * @param seconds from {@code kubectl create} until the assignment read Completed
   * @param unavailabilityP50Millis per-key write unavailability, p50 over the keys that met a fence
   * @param windows the unavailability windows the percentiles are over (a key's writes refused in a
   *     row)
   * @param operatorLongest the assignment's status.writeUnavailability: its longest fence
   */
  public record Move(
      String name,
      String from,
      String to,
      int keys,
      int rate,
      String phase,
      String message,
      long moved,
      int batches,
      int batchSize,
      double seconds,
      double keysPerSecond,
      long unavailabilityP50Millis,
      long unavailabilityP99Millis,
      long unavailabilityMaxMillis,
      int windows,
      String operatorLongest,
      long acknowledged,
      long lost,
      long doubled,
      long splitBrain) {}

  /** Every move of a run. */
  public record Result(List<Move> moves, String commands) {}

  /**
   * The moves of a full run: one at the goal's rate, one as fast as the batches allow. Each pair of
   * regions allows the keys' residency (in and eu keys may live in singapore, sg keys anywhere).
   */
  public static List<Plan> plans(boolean quick) {
    return quick
        ? List.of(new Plan("bench-move-paced", "mumbai", "singapore", 1_000, 2_000))
        : List.of(
            new Plan("bench-move-paced", "mumbai", "singapore", 5_000, 2_000),
            new Plan("bench-move-fast", "singapore", "frankfurt", 10_000, 20_000));
  }

  private final LocalSystem system;
  private final Path workDir;

  public Rehoming(LocalSystem system, Path workDir) {
    this.system = system;
    this.workDir = workDir;
  }

  /** The move before the timed ones: the operator's and front-doors' code paths warmed up. */
  static final Plan WARM_UP =
      new Plan("bench-move-warm-up", "frankfurt", "singapore", 2_000, 20_000);

  public Result run(List<Plan> plans) throws Exception {
    Files.createDirectories(workDir);
    Move warmUp = move(WARM_UP);
    log.info(
        "Re-homing warm-up (not reported): {} {} in {} s",
        warmUp.name(),
        warmUp.phase(),
        String.format("%.2f", warmUp.seconds()));
    List<Move> moves = new ArrayList<>();
    for (Plan plan : plans) {
      Move move = move(plan);
      log.info(
          "Re-homing {}: {} keys {} -> {} at rate {}: {} in {} s, {} keys/s; per-key write"
              + " unavailability p50 {} ms, p99 {} ms, max {} ms over {} windows",
          move.name(),
          move.keys(),
          move.from(),
          move.to(),
          move.rate(),
          move.phase(),
          String.format("%.2f", move.seconds()),
          String.format("%.0f", move.keysPerSecond()),
          move.unavailabilityP50Millis(),
          move.unavailabilityP99Millis(),
          move.unavailabilityMaxMillis(),
          move.windows());
      moves.add(move);
    }
    return new Result(
        moves,
        "kubectl create -f <HomeAssignment with spec.subject.keys, spec.toRegion, spec.rate>,"
            + " 16 clients writing the moving keys through the three front-doors, after one move"
            + " of 2,000 keys not reported (the operator's and front-doors' warm-up)");
  }

  private Move move(Plan plan) throws Exception {
    system.awaitSummary(system.allActive(), Duration.ofSeconds(90));
    List<String> keys = system.keysHomedIn(plan.from(), plan.name() + "-", plan.keys());
    Set<String> moving = Set.copyOf(keys);
    Path manifest = workDir.resolve(plan.name() + ".yaml");
    Files.writeString(
        manifest,
        """
        apiVersion: homeport.dev/v1alpha1
        kind: HomeAssignment
        metadata:
          name: %s
          namespace: default
        spec:
          subject:
            keys: [%s]
          toRegion: %s
          reason: benchmark
          rate: %d
        """
            .formatted(plan.name(), String.join(", ", keys), plan.to(), plan.rate()),
        StandardCharsets.UTF_8);
    Map<String, URI> entries = new LinkedHashMap<>();
    system.regionNames().forEach(region -> entries.put(region, system.region(region).url()));

    long start = System.nanoTime();
    long created;
    long completed;
    HomeAssignment done;
    try (ClientLoad load =
        new ClientLoad(
            system.history(),
            entries,
            keys,
            16,
            ClientLoad.Mix.WRITES,
            Duration.ofMillis(5),
            Duration.ofSeconds(180))) {
      await("writes under way")
          .atMost(Duration.ofSeconds(20))
          .until(() -> load.acknowledged() >= 500);
      created = System.nanoTime();
      // create, not apply: a manifest of thousands of keys is too large for apply's annotation.
      CommandResult create = system.kubectl("create", "-f", manifest.toString());
      if (!create.succeeded()) {
        throw new IllegalStateException("kubectl create failed: " + create);
      }
      done =
          await(plan.name() + " finished")
              .atMost(Duration.ofSeconds(120))
              .pollInterval(Duration.ofMillis(20))
              .until(() -> assignment(plan.name()), Rehoming::finished);
      completed = System.nanoTime();
      long after = load.acknowledged();
      await("writes after the move")
          .atMost(Duration.ofSeconds(20))
          .until(() -> load.acknowledged() >= after + 500);
    }
    List<ClientOp> ops =
        system.history().ops().stream()
            .filter(op -> op.startNanos() >= start && moving.contains(op.key()))
            .toList();
    Timeline timeline = Timeline.of(ops);
    CheckResult check =
        HistoryChecker.check(
            system.history(), HistoryChecker.Policy.strict(LocalSystem.FAST_LEASE_AND_SKEW));
    HomeAssignmentStatus status = done.getStatus();
    double seconds = (completed - created) / 1e9;
    long moved = status.getMovedKeys() == null ? 0 : status.getMovedKeys();
    return new Move(
        plan.name(),
        plan.from(),
        plan.to(),
        plan.keys(),
        plan.rate(),
        String.valueOf(status.getPhase()),
        status.getMessage(),
        moved,
        status.getTotalBatches() == null ? 0 : status.getTotalBatches(),
        status.getBatchSize() == null ? 0 : status.getBatchSize(),
        seconds,
        moved / seconds,
        timeline.windowP50().toMillis(),
        timeline.windowP99().toMillis(),
        timeline.windowMax().toMillis(),
        timeline.windows().size(),
        status.getWriteUnavailability(),
        ops.stream().filter(ClientOp::acknowledged).count(),
        check.lost(),
        check.doubled(),
        check.splitBrain());
  }

  private HomeAssignment assignment(String name) {
    return system
        .client()
        .resources(HomeAssignment.class)
        .inNamespace("default")
        .withName(name)
        .get();
  }

  private static boolean finished(HomeAssignment assignment) {
    return assignment != null
        && assignment.getStatus() != null
        && assignment.getStatus().getPhase() != null
        && assignment.getStatus().getPhase().finished();
  }
}
