package dev.homeport.operator.topology;

import dev.homeport.contract.Durations;
import dev.homeport.crds.v1alpha1.spec.ApprovalMode;
import dev.homeport.crds.v1alpha1.spec.FailbackPolicy;
import dev.homeport.crds.v1alpha1.spec.FailoverPolicy;
import dev.homeport.crds.v1alpha1.spec.RegionSpec;
import dev.homeport.crds.v1alpha1.spec.RegionTopologySpec;
import dev.homeport.operator.failover.Policy;
import dev.homeport.operator.failover.RegionPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/** Reads the failover machine's policy from a RegionTopology spec, applying the CRD defaults. */
public final class Policies {

  private Policies() {}

  /**
   * @throws IllegalArgumentException naming the field when a value cannot be used
   */
  public static Policy of(RegionTopologySpec spec) {
    return of(spec, spec.getRegions());
  }

  /**
   * The policy over {@code regions} instead of spec.regions: the regions the operator routes
   * (status.acceptedRegions), which may still hold a region removed from spec.regions.
   *
   * @throws IllegalArgumentException naming the field when a value cannot be used
   */
  public static Policy of(RegionTopologySpec spec, List<RegionSpec> regions) {
    FailoverPolicy failover =
        spec.getFailover() == null ? new FailoverPolicy() : spec.getFailover();
    FailbackPolicy failback =
        failover.getFailback() == null ? new FailbackPolicy() : failover.getFailback();
    List<RegionPolicy> routed = new ArrayList<>();
    for (RegionSpec region : regions) {
      routed.add(
          new RegionPolicy(
              region.getName(),
              region.getResidency(),
              new LinkedHashSet<>(region.getAcceptsResidency()),
              List.copyOf(region.getFailoverPeers()),
              region.getCapacityWeight() == null ? 100 : region.getCapacityWeight()));
    }
    return new Policy(
        failover.getMode() == null ? ApprovalMode.Automatic : failover.getMode(),
        duration("spec.failover.leaseDuration", failover.getLeaseDuration(), "10s"),
        duration("spec.failover.probeInterval", failover.getProbeInterval(), "2s"),
        failover.getFailureThreshold() == null ? 3 : failover.getFailureThreshold(),
        duration("spec.failover.skewMargin", failover.getSkewMargin(), "1s"),
        failover.getMinActiveRegions() == null ? 1 : failover.getMinActiveRegions(),
        failover.getMaxConcurrentFailovers() == null ? 1 : failover.getMaxConcurrentFailovers(),
        failback.getMode() == null ? ApprovalMode.Manual : failback.getMode(),
        duration("spec.failover.failback.stableFor", failback.getStableFor(), "5m"),
        routed,
        duration("spec.failover.failback.catchUpTimeout", failback.getCatchUpTimeout(), "5m"));
  }

  private static Duration duration(String field, String value, String fallback) {
    String text = value == null ? fallback : value;
    Duration parsed = Durations.parse(text);
    if (parsed == null) {
      throw new IllegalArgumentException(field + " is '" + text + "', not a duration such as 2s");
    }
    return parsed;
  }
}
