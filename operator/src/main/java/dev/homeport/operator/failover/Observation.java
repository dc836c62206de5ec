package dev.homeport.operator.failover;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What the caller saw since the previous step.
 *
 * @param now the caller's clock when the observation was taken
 * @param probes this round's probe result per region; a region without one counts as unhealthy
 * @param leaseWrites for each region, when the caller last successfully wrote its lease renewal
 *     into that region's Redis (absent: never, or unknown)
 * @param failoverApprovals regions whose failover a person approved (used in Manual mode)
 * @param failbackApprovals regions whose failback a person approved (used in Manual failback mode)
 * @param drillRequest a requested drill without a finished record; null when none
 * @param drillProgress what the caller learnt about the running drill; {@link DrillProgress#NONE}
 *     when nothing
 * @param failbackCatchUps for failed-over regions, how far they have caught up with the peer
 *     serving their keys; a region due to fail back without an entry waits for one
 */
public record Observation(
    Instant now,
    Map<String, Probe> probes,
    Map<String, Instant> leaseWrites,
    Set<String> failoverApprovals,
    Set<String> failbackApprovals,
    DrillRequest drillRequest,
    DrillProgress drillProgress,
    Map<String, FailbackCatchUp> failbackCatchUps) {

  public Observation {
    Objects.requireNonNull(now, "now");
    probes = Map.copyOf(Objects.requireNonNull(probes, "probes"));
    leaseWrites = Map.copyOf(Objects.requireNonNull(leaseWrites, "leaseWrites"));
    failoverApprovals = Set.copyOf(Objects.requireNonNull(failoverApprovals, "failoverApprovals"));
    failbackApprovals = Set.copyOf(Objects.requireNonNull(failbackApprovals, "failbackApprovals"));
    drillProgress = drillProgress == null ? DrillProgress.NONE : drillProgress;
    failbackCatchUps = Map.copyOf(Objects.requireNonNull(failbackCatchUps, "failbackCatchUps"));
  }

  /** An observation without failback catch-up readings: failbacks wait for them. */
  public Observation(
      Instant now,
      Map<String, Probe> probes,
      Map<String, Instant> leaseWrites,
      Set<String> failoverApprovals,
      Set<String> failbackApprovals,
      DrillRequest drillRequest,
      DrillProgress drillProgress) {
    this(
        now,
        probes,
        leaseWrites,
        failoverApprovals,
        failbackApprovals,
        drillRequest,
        drillProgress,
        Map.of());
  }

  /** An observation without drills nor failback catch-up readings. */
  public Observation(
      Instant now,
      Map<String, Probe> probes,
      Map<String, Instant> leaseWrites,
      Set<String> failoverApprovals,
      Set<String> failbackApprovals) {
    this(now, probes, leaseWrites, failoverApprovals, failbackApprovals, null, null);
  }
}
