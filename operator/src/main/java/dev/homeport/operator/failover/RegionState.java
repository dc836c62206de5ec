package dev.homeport.operator.failover;

import dev.homeport.crds.v1alpha1.status.RegionPhase;
import java.time.Instant;
import java.util.Objects;

/**
 * What the machine knows about one region. The caller persists it in the CR status, so an operator
 * that restarts resumes where the last one stopped.
 *
 * @param name the region's name
 * @param phase where the region stands
 * @param servedBy the region serving this region's keys; set only in {@code FailedOver}
 * @param failoverTarget the peer chosen to take the keys: in {@code Fenced} the one that will, in
 *     {@code FailedOver} the one that does, in {@code Recovering} the one that did until failback
 * @param consecutiveFailures probes failed in a row (a missing probe counts as failed)
 * @param lastHealthy when a probe last succeeded; null if never
 * @param healthySince start of the current run of healthy probes; null while unhealthy
 * @param leaseRenewedAt the last successful write of the region's lease; null if never or unknown
 * @param phaseSince when the region entered its phase; in {@code Recovering}, restarted when
 *     another region's keys move away from it, since its front-doors must see that before its lease
 *     returns
 * @param message why the region is in its phase, for people
 */
public record RegionState(
    String name,
    RegionPhase phase,
    String servedBy,
    String failoverTarget,
    int consecutiveFailures,
    Instant lastHealthy,
    Instant healthySince,
    Instant leaseRenewedAt,
    Instant phaseSince,
    String message) {

  public RegionState {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(phase, "phase");
    if (consecutiveFailures < 0) {
      throw new IllegalArgumentException(
          String.format(
              "region %s: consecutiveFailures must not be negative, got %d",
              name, consecutiveFailures));
    }
  }

  /** This state with its phase clock restarted at {@code since}. */
  public RegionState withPhaseSince(Instant since) {
    return new RegionState(
        name,
        phase,
        servedBy,
        failoverTarget,
        consecutiveFailures,
        lastHealthy,
        healthySince,
        leaseRenewedAt,
        since,
        message);
  }
}
