package dev.homeport.operator.failover;

import dev.homeport.crds.v1alpha1.status.RegionPhase;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The machine's whole state: the routing epoch, every region's state, by name, and the running
 * drill.
 *
 * @param epoch the epoch of the last routing table the machine asked to publish
 * @param regions every region's state, keyed by name (iteration order is kept)
 * @param drill the running drill; null when none runs
 */
public record TopologyState(long epoch, Map<String, RegionState> regions, DrillState drill) {

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

  /** A state without a running drill. */
  public TopologyState(long epoch, Map<String, RegionState> regions) {
    this(epoch, regions, null);
  }

  /**
   * This state at a higher epoch: the routing tables in the regions are ahead of it (a previous
   * operator published and stopped before its status was written), and the next table must win.
   */
  public TopologyState withEpoch(long higher) {
    if (higher < epoch) {
      throw new IllegalArgumentException(
          String.format("epoch only increases: %d is below %d", higher, epoch));
    }
    return new TopologyState(higher, regions, drill);
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
