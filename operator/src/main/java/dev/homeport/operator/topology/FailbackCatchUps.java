package dev.homeport.operator.topology;

import dev.homeport.crds.v1alpha1.spec.RegionSpec;
import dev.homeport.crds.v1alpha1.spec.RegionTopologySpec;
import dev.homeport.crds.v1alpha1.status.RegionPhase;
import dev.homeport.operator.failover.FailbackCatchUp;
import dev.homeport.operator.failover.Policy;
import dev.homeport.operator.failover.Refusal;
import dev.homeport.operator.failover.RegionState;
import dev.homeport.operator.failover.Step;
import dev.homeport.operator.failover.TopologyState;
import dev.homeport.operator.failover.Transition;
import dev.homeport.operator.rehome.ReplicationWatermark;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The failbacks of one RegionTopology that wait for replication catch-up, between reconciles: for
 * each failed-over region the machine holds back with {@code AwaitingFailbackCatchUp} (or {@code
 * FailbackCatchUpTimedOut}), it reads the serving peer's position once, when the wait starts, and
 * then, once per probe interval, how far the region's application has applied the peer's writes
 * ({@code spec.regions[].replicationProbe}, the same probe and reading a drill's catch-up uses).
 * What it found goes to the machine in the next observation; the machine decides.
 *
 * <p>Past catchUpTimeout the target follows the peer's position on every read: a failback that goes
 * ahead so late must not go by a position read long ago. The waits live in memory: a restarted
 * operator starts them afresh (new position, new since).
 *
 * <p>Not thread-safe: a topology is reconciled by one thread at a time.
 */
final class FailbackCatchUps {

  /** Annotation listing regions (comma-separated) whose failback need not wait for catch-up. */
  static final String SKIP_CATCH_UP = "homeport.dev/failback-skip-catch-up";

  private static final Logger log = LoggerFactory.getLogger(FailbackCatchUps.class);

  private static final Set<String> WAITING =
      Set.of("AwaitingFailbackCatchUp", "FailbackCatchUpTimedOut");

  /** One region's wait for catch-up with one peer. */
  private static final class Wait {
    final String peer;
    final Instant since;
    Long target;
    long applied = -1;
    String error;
    Instant nextRead = Instant.EPOCH;
    boolean chase;
    CompletableFuture<ReplicationWatermark.CatchUpReading> task;

    Wait(String peer, Instant since) {
      this.peer = peer;
      this.since = since;
    }

    boolean caughtUp() {
      return error == null && target != null && applied >= target;
    }
  }

  /** The meters, shared by every topology's waits. */
  static final class Metrics {
    private final MeterRegistry registry;
    private final Map<String, AtomicLong> lag = new ConcurrentHashMap<>();

    Metrics(MeterRegistry registry) {
      this.registry = registry;
    }

    void lag(String region, long positions) {
      lag.computeIfAbsent(
              region,
              r -> {
                AtomicLong value = new AtomicLong();
                Gauge.builder("homeport.operator.failback.catchup.lag", value, AtomicLong::get)
                    .description(
                        "Positions of its peer's writes a region waiting to fail back has not"
                            + " applied yet (replicationProbe); 0 when not waiting")
                    .tag("region", r)
                    .register(registry);
                return value;
              })
          .set(Math.max(0, positions));
    }

    void waited(String region, Duration duration) {
      Timer.builder("homeport.operator.failback.catchup.wait")
          .description(
              "How long failbacks waited for the region's application to catch up with its peer")
          .tag("region", region)
          .register(registry)
          .record(duration);
    }
  }

  private final Clock clock;
  private final ReplicationWatermark watermark;
  private final Executor io;
  private final Metrics metrics;
  private final Map<String, Wait> waits = new HashMap<>();

  FailbackCatchUps(Clock clock, ReplicationWatermark watermark, Executor io, Metrics metrics) {
    this.clock = clock;
    this.watermark = watermark;
    this.io = io;
    this.metrics = metrics;
  }

  /**
   * The readings for the machine's next step, for every failed-over region: skipped by the
   * annotation, unprobed (the region or its peer has no replicationProbe), or what the wait found.
   * A region without a wait yet gets none: the machine starts its wait by holding it back.
   */
  Map<String, FailbackCatchUp> readings(
      RegionTopologySpec spec, TopologyState state, Set<String> skip) {
    Map<String, FailbackCatchUp> readings = new LinkedHashMap<>();
    for (RegionState region : state.regions().values()) {
      String name = region.name();
      String peer = region.servedBy();
      if (region.phase() != RegionPhase.FailedOver || peer == null) {
        continue;
      }
      Wait wait = waits.get(name);
      if (wait != null && !wait.peer.equals(peer)) {
        drop(name);
        wait = null;
      }
      if (wait != null) {
        collect(name, wait);
      }
      if (skip.contains(name)) {
        readings.put(
            name,
            new FailbackCatchUp(
                peer,
                FailbackCatchUp.Status.SKIPPED,
                wait == null ? null : wait.since,
                String.format(
                    "skipped by hand (annotation %s lists %s)%s",
                    SKIP_CATCH_UP,
                    name,
                    wait == null ? "" : "; last reading: " + figures(name, wait))));
        continue;
      }
      String missing = missingProbes(spec, name, peer);
      if (missing != null) {
        readings.put(
            name, new FailbackCatchUp(peer, FailbackCatchUp.Status.UNPROBED, null, missing));
        continue;
      }
      if (wait != null) {
        readings.put(
            name,
            new FailbackCatchUp(
                peer,
                wait.caughtUp() ? FailbackCatchUp.Status.CAUGHT_UP : FailbackCatchUp.Status.WAITING,
                wait.since,
                figures(name, wait)));
      }
    }
    return readings;
  }

  /**
   * After the machine's step: starts a wait for each region it held back for catch-up, reads the
   * probes again for the waits under way, and ends the others (recording how long a wait lasted
   * when its region failed back).
   */
  void follow(Step step, RegionTopologySpec spec, Policy policy) {
    Instant now = clock.instant();
    for (Transition transition : step.transitions()) {
      Wait wait = waits.get(transition.region());
      if (wait != null && "Failback".equals(transition.reason())) {
        metrics.waited(transition.region(), Duration.between(wait.since, now));
      }
    }
    Map<String, Boolean> held = new HashMap<>();
    for (Refusal refusal : step.refusals()) {
      if (WAITING.contains(refusal.reason())) {
        held.put(refusal.region(), "FailbackCatchUpTimedOut".equals(refusal.reason()));
      }
    }
    for (String region : new ArrayList<>(waits.keySet())) {
      if (!held.containsKey(region)) {
        drop(region);
      }
    }
    held.forEach(
        (name, timedOut) -> {
          RegionState region = step.next().regions().get(name);
          String peer = region == null ? null : region.servedBy();
          String regionProbe = probe(spec, name);
          String peerProbe = peer == null ? null : probe(spec, peer);
          if (peer == null || regionProbe == null || peerProbe == null) {
            return;
          }
          Wait wait = waits.get(name);
          if (wait == null) {
            wait = new Wait(peer, now);
            waits.put(name, wait);
            log.info(
                "Failback of {} waits for its application to apply {}'s writes ({})",
                name,
                peer,
                regionProbe);
          }
          wait.chase = timedOut;
          if (wait.task == null && !now.isBefore(wait.nextRead)) {
            boolean readPosition = wait.target == null || wait.chase;
            wait.nextRead = now.plus(policy.probeInterval());
            wait.task =
                CompletableFuture.supplyAsync(
                    () -> watermark.catchUp(peerProbe, readPosition, regionProbe, peer, clock), io);
          }
        });
  }

  /** The topology is gone: reads under way are dropped. */
  void close() {
    for (String region : new ArrayList<>(waits.keySet())) {
      drop(region);
    }
  }

  /** Takes in a finished read. */
  private void collect(String region, Wait wait) {
    if (wait.task == null || !wait.task.isDone()) {
      return;
    }
    ReplicationWatermark.CatchUpReading reading = wait.task.isCancelled() ? null : wait.task.join();
    wait.task = null;
    if (reading == null) {
      return;
    }
    if (reading.position() != null && (wait.target == null || wait.chase)) {
      wait.target = reading.position();
    }
    wait.error = reading.error();
    if (reading.error() == null) {
      wait.applied = reading.applied();
    }
    if (wait.target != null && wait.applied >= 0) {
      metrics.lag(region, wait.target - wait.applied);
    }
  }

  private void drop(String region) {
    Wait wait = waits.remove(region);
    if (wait != null && wait.task != null) {
      wait.task.cancel(true);
    }
    if (wait != null) {
      metrics.lag(region, 0);
    }
  }

  /** The figures of a wait, for people. */
  private static String figures(String region, Wait wait) {
    List<String> parts = new ArrayList<>();
    if (wait.target == null) {
      parts.add(String.format("%s's position not read yet", wait.peer));
    } else {
      String progress = ReplicationWatermark.progress(region, wait.peer, wait.applied, wait.target);
      if (wait.applied >= 0) {
        progress += String.format(" (lag %d)", Math.max(0, wait.target - wait.applied));
      }
      parts.add(progress);
    }
    if (wait.error != null) {
      parts.add(wait.error);
    }
    if (wait.chase) {
      parts.add("past catchUpTimeout the target follows " + wait.peer + "'s position");
    }
    return String.join("; ", parts);
  }

  /** Why a failback cannot wait for replication, or null when both regions have a probe. */
  private static String missingProbes(RegionTopologySpec spec, String region, String peer) {
    List<String> without = new ArrayList<>();
    for (String name : List.of(region, peer)) {
      if (probe(spec, name) == null) {
        without.add(name);
      }
    }
    if (without.isEmpty()) {
      return null;
    }
    return String.format(
        "no replicationProbe on %s (spec.regions[].replicationProbe), so the operator cannot tell"
            + " whether %s's application has applied the writes %s took for it",
        String.join(" and ", without), region, peer);
  }

  private static String probe(RegionTopologySpec spec, String name) {
    for (RegionSpec region : spec.getRegions()) {
      if (name.equals(region.getName())) {
        String probe = region.getReplicationProbe();
        return probe == null || probe.isBlank() ? null : probe;
      }
    }
    return null;
  }
}
