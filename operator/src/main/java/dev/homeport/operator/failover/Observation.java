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
 */
public record Observation(
    Instant now,
    Map<String, Probe> probes,
    Map<String, Instant> leaseWrites,
    Set<String> failoverApprovals,
    Set<String> failbackApprovals,
    DrillRequest drillRequest,
    DrillProgress drillProgress) {

  public Observation {
    Objects.requireNonNull(now, "now");
    probes = Map.copyOf(Objects.requireNonNull(probes, "probes"));
    leaseWrites = Map.copyOf(Objects.requireNonNull(leaseWrites, "leaseWrites"));
    failoverApprovals = Set.copyOf(Objects.requireNonNull(failoverApprovals, "failoverApprovals"));
    failbackApprovals = Set.copyOf(Objects.requireNonNull(failbackApprovals, "failbackApprovals"));
    drillProgress = drillProgress == null ? DrillProgress.NONE : drillProgress;
  }

  /** An observation without drills. */
  public Observation(
      Instant now,
      Map<String, Probe> probes,
      Map<String, Instant> leaseWrites,
      Set<String> failoverApprovals,
      Set<String> failbackApprovals) {
    this(now, probes, leaseWrites, failoverApprovals, failbackApprovals, null, null);
  }
}
