package dev.homeport.operator.topology;

import dev.homeport.crds.v1alpha1.spec.DrillSpec;
import dev.homeport.crds.v1alpha1.status.RegionPhase;
import dev.homeport.crds.v1alpha1.status.RegionStatus;
import dev.homeport.crds.v1alpha1.status.RegionTopologyStatus;
import dev.homeport.operator.drill.DrillRecords;
import dev.homeport.operator.failover.DrillState;
import dev.homeport.operator.failover.Policy;
import dev.homeport.operator.failover.RegionState;
import dev.homeport.operator.failover.TopologyState;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The failover machine's state as the RegionTopology status keeps it, and back. A restarted
 * operator resumes from the status, assuming the worst about what it cannot know: it does not know
 * when the lease of a fenced region was last written, so that region's lease counts from the
 * restart. A running drill resumes from its record in {@code status.drills[]} the same way.
 */
public final class StatusMapper {

  private StatusMapper() {}

  /** The state to resume from; the initial state when the status holds none. */
  public static TopologyState resume(RegionTopologyStatus status, Policy policy, Instant now) {
    return resume(status, policy, now, null);
  }

  /**
   * The state to resume from, with the running drill of {@code status.drills[]}.
   *
   * @param drill {@code spec.drill}, for a record that lacks its holdFor
   */
  public static TopologyState resume(
      RegionTopologyStatus status, Policy policy, Instant now, DrillSpec drill) {
    if (status == null || status.getRegions() == null || status.getRegions().isEmpty()) {
      return TopologyState.initial(policy, now);
    }
    Map<String, RegionState> regions = new LinkedHashMap<>();
    for (RegionStatus region : status.getRegions()) {
      RegionPhase phase = region.getPhase() == null ? RegionPhase.Active : region.getPhase();
      Instant phaseSince = time(region.getPhaseSince(), now);
      boolean waiting = phase == RegionPhase.Fenced || phase == RegionPhase.Recovering;
      regions.put(
          region.getName(),
          new RegionState(
              region.getName(),
              phase,
              region.getServedBy(),
              region.getFailoverTarget(),
              region.getConsecutiveFailures() == null ? 0 : region.getConsecutiveFailures(),
              time(region.getLastHeartbeat(), null),
              time(region.getHealthySince(), null),
              // Unknown after a restart: the previous operator may have renewed until just now.
              now,
              waiting ? now : phaseSince,
              region.getMessage()));
    }
    long epoch = status.getRoutingEpoch() == null ? 0 : status.getRoutingEpoch();
    DrillState running =
        status.getDrills() == null ? null : DrillRecords.resume(status.getDrills(), drill, now);
    return new TopologyState(epoch, regions, running);
  }

  /** The per-region part of the status. */
  public static java.util.List<RegionStatus> regions(TopologyState state, Policy policy) {
    java.util.List<RegionStatus> regions = new java.util.ArrayList<>();
    for (RegionState region : state.regions().values()) {
      RegionStatus status = new RegionStatus(region.name(), region.phase());
      status.setServedBy(region.servedBy());
      status.setFailoverTarget(region.failoverTarget());
      status.setConsecutiveFailures(region.consecutiveFailures());
      status.setLastHeartbeat(text(region.lastHealthy()));
      status.setHealthySince(text(region.healthySince()));
      status.setPhaseSince(text(region.phaseSince()));
      boolean holds = region.phase() == RegionPhase.Active || region.phase() == RegionPhase.Suspect;
      status.setLeaseExpiresAt(
          holds && region.leaseRenewedAt() != null
              ? region.leaseRenewedAt().plus(policy.leaseDuration()).toString()
              : null);
      status.setMessage(region.message());
      regions.add(status);
    }
    return regions;
  }

  /** One line per region, {@code name:phase[>servedBy]}, for kubectl get. */
  public static String summary(TopologyState state) {
    StringBuilder summary = new StringBuilder();
    for (RegionState region : state.regions().values()) {
      if (summary.length() > 0) {
        summary.append(' ');
      }
      summary.append(region.name()).append(':').append(region.phase());
      if (region.servedBy() != null) {
        summary.append('>').append(region.servedBy());
      }
    }
    return summary.toString();
  }

  private static Instant time(String text, Instant fallback) {
    if (text == null) {
      return fallback;
    }
    try {
      return Instant.parse(text);
    } catch (java.time.format.DateTimeParseException e) {
      return fallback;
    }
  }

  private static String text(Instant time) {
    return time == null ? null : time.toString();
  }
}
