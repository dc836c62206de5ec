package dev.homeport.operator.failover;

import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One region as the failover machine sees it, from {@code RegionTopology.spec.regions[]}.
 *
 * @param name the region's name
 * @param residency the data-residency zone of the region's keys
 * @param acceptsResidency other zones whose keys this region may serve when their home fails
 * @param failoverPeers regions that may take this region's keys, in order of preference
 * @param capacityWeight how much load the region can carry; 0 means it never serves other regions
 */
public record RegionPolicy(
    String name,
    String residency,
    Set<String> acceptsResidency,
    List<String> failoverPeers,
    int capacityWeight) {

  public RegionPolicy {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("regions[].name must not be blank");
    }
    if (residency == null || residency.isBlank()) {
      throw new IllegalArgumentException(
          String.format("regions[%s].residency must not be blank", name));
    }
    acceptsResidency =
        Set.copyOf(Objects.requireNonNull(acceptsResidency, "regions[].acceptsResidency"));
    failoverPeers = List.copyOf(Objects.requireNonNull(failoverPeers, "regions[].failoverPeers"));
    if (capacityWeight < 0) {
      throw new IllegalArgumentException(
          String.format(
              "regions[%s].capacityWeight must not be negative, got %d", name, capacityWeight));
    }
  }

  /** Whether this region may serve keys of the given residency zone. */
  public boolean accepts(String otherResidency) {
    return residency.equals(otherResidency) || acceptsResidency.contains(otherResidency);
  }
}
