package dev.homeport.operator.failover;

import dev.homeport.crds.v1alpha1.status.RegionPhase;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The machine's whole state: the routing epoch and every region's state, by name.
 *
 * @param epoch the epoch of the last routing table the machine asked to publish
 * @param regions every region's state, keyed by name (iteration order is kept)
 */
public record TopologyState(long epoch, Map<String, RegionState> regions) {

  public TopologyState {
    if (epoch < 0) {
      throw new IllegalArgumentException(
          String.format("epoch must not be negative, got %d", epoch));
    }
    Objects.requireNonNull(regions, "regions");
    Map<String, RegionState> copy = new LinkedHashMap<>();
    regions.forEach(
        (name, state) -> {
          Objects.requireNonNull(state, () -> "state of region " + name);
          if (!state.name().equals(name)) {
            throw new IllegalArgumentException(
                String.format("regions: key %s holds the state of region %s", name, state.name()));
          }
          copy.put(name, state);
        });
    regions = Collections.unmodifiableMap(copy);
  }

  /** Every region of the policy Active, at epoch 0, as a fresh topology starts. */
  public static TopologyState initial(Policy policy, Instant now) {
    Objects.requireNonNull(policy, "policy");
    Objects.requireNonNull(now, "now");
    Map<String, RegionState> regions = new LinkedHashMap<>();
    for (RegionPolicy region : policy.regions()) {
      regions.put(
          region.name(),
          new RegionState(
              region.name(),
              RegionPhase.Active,
              null,
              null,
              0,
              null,
              null,
              null,
              now,
              region.name() + " starts Active, serving its own keys"));
    }
    return new TopologyState(0, regions);
  }
}
