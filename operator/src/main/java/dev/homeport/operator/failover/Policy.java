package dev.homeport.operator.failover;

import dev.homeport.crds.v1alpha1.spec.ApprovalMode;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The spec values the failover machine needs, taken from {@code RegionTopology.spec.failover} and
 * {@code spec.regions}.
 *
 * @param mode whether a failover needs an approval
 * @param leaseDuration how long a region's write lease lasts after its last renewal
 * @param probeInterval how often regions are probed (one observation per interval)
 * @param failureThreshold consecutive failed probes before a region is Suspect; twice as many
 *     before it is failed over
 * @param skewMargin extra wait after a lease has run out, for clock-rate differences
 * @param minActiveRegions regions that must keep serving their own keys; failovers that would leave
 *     fewer are refused
 * @param maxConcurrentFailovers regions that may be Fenced, FailedOver or Recovering at once
 * @param failbackMode whether a failback needs an approval
 * @param stableFor how long a failed-over region must be healthy before it fails back
 * @param regions every region, in spec order
 * @param catchUpTimeout how long a failback waits for the region's application to catch up with its
 *     peer's writes before it warns and needs a person; the keys stay with the peer meanwhile
 */
public record Policy(
    ApprovalMode mode,
    Duration leaseDuration,
    Duration probeInterval,
    int failureThreshold,
    Duration skewMargin,
    int minActiveRegions,
    int maxConcurrentFailovers,
    ApprovalMode failbackMode,
    Duration stableFor,
    List<RegionPolicy> regions,
    Duration catchUpTimeout) {

  /** {@code failover.failback.catchUpTimeout} when the spec does not set it. */
  public static final Duration DEFAULT_CATCH_UP_TIMEOUT = Duration.ofMinutes(5);

  public Policy {
    Objects.requireNonNull(mode, "failover.mode");
    Objects.requireNonNull(failbackMode, "failover.failback.mode");
    requirePositive("failover.leaseDuration", leaseDuration);
    requirePositive("failover.probeInterval", probeInterval);
    requireNotNegative("failover.skewMargin", skewMargin);
    requireNotNegative("failover.failback.stableFor", stableFor);
    requirePositive("failover.failback.catchUpTimeout", catchUpTimeout);
    if (failureThreshold < 1) {
      throw new IllegalArgumentException(
          String.format("failover.failureThreshold must be at least 1, got %d", failureThreshold));
    }
    if (minActiveRegions < 0) {
      throw new IllegalArgumentException(
          String.format(
              "failover.minActiveRegions must not be negative, got %d", minActiveRegions));
    }
    if (maxConcurrentFailovers < 0) {
      throw new IllegalArgumentException(
          String.format(
              "failover.maxConcurrentFailovers must not be negative, got %d",
              maxConcurrentFailovers));
    }
    regions = List.copyOf(Objects.requireNonNull(regions, "regions"));
    Set<String> names = new HashSet<>();
    for (RegionPolicy region : regions) {
      if (!names.add(region.name())) {
        throw new IllegalArgumentException(
            String.format(
                "regions: region %s is listed twice; region names must be unique", region.name()));
      }
    }
  }

  /** A policy with the default {@link #DEFAULT_CATCH_UP_TIMEOUT}. */
  public Policy(
      ApprovalMode mode,
      Duration leaseDuration,
      Duration probeInterval,
      int failureThreshold,
      Duration skewMargin,
      int minActiveRegions,
      int maxConcurrentFailovers,
      ApprovalMode failbackMode,
      Duration stableFor,
      List<RegionPolicy> regions) {
    this(
        mode,
        leaseDuration,
        probeInterval,
        failureThreshold,
        skewMargin,
        minActiveRegions,
        maxConcurrentFailovers,
        failbackMode,
        stableFor,
        regions,
        DEFAULT_CATCH_UP_TIMEOUT);
  }

  private static void requirePositive(String field, Duration value) {
    Objects.requireNonNull(value, field);
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(
          String.format("%s must be positive, got %s", field, value));
    }
  }

  private static void requireNotNegative(String field, Duration value) {
    Objects.requireNonNull(value, field);
    if (value.isNegative()) {
      throw new IllegalArgumentException(
          String.format("%s must not be negative, got %s", field, value));
    }
  }
}
