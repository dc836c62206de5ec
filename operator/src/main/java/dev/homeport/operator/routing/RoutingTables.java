package dev.homeport.operator.routing;

import dev.homeport.contract.BucketAssignment;
import dev.homeport.contract.RegionRoute;
import dev.homeport.contract.RoutingTable;
import dev.homeport.crds.v1alpha1.spec.RegionSpec;
import dev.homeport.crds.v1alpha1.spec.RegionTopologySpec;
import dev.homeport.operator.failover.RegionState;
import dev.homeport.operator.failover.TopologyState;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The routing table the operator publishes: placement from the spec, phases from the state. */
public final class RoutingTables {

  private RoutingTables() {}

  public static RoutingTable of(RegionTopologySpec spec, TopologyState state, Instant now) {
    Map<String, RegionRoute> regions = new LinkedHashMap<>();
    for (RegionSpec region : spec.getRegions()) {
      RegionState observed = state.regions().get(region.getName());
      regions.put(
          region.getName(),
          new RegionRoute(
              observed == null ? null : observed.phase(),
              observed == null ? null : observed.servedBy(),
              region.getFrontDoor().getUrl(),
              region.getResidency()));
    }
    List<BucketAssignment> buckets = BucketPlacement.of(spec.getPlacement(), spec.getRegions());
    return new RoutingTable(
        state.epoch(), spec.getPlacement().getBuckets(), regions, buckets, now.toString());
  }
}
