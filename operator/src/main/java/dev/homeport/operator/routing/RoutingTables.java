package dev.homeport.operator.routing;

import dev.homeport.contract.BucketAssignment;
import dev.homeport.contract.RegionRoute;
import dev.homeport.contract.RoutingTable;
import dev.homeport.crds.v1alpha1.spec.RegionSpec;
import dev.homeport.operator.failover.RegionState;
import dev.homeport.operator.failover.TopologyState;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The routing table the operator publishes: the regions it routes with their phases from the state,
 * and the topology's fixed bucket layout (never a layout recomputed from the regions).
 */
public final class RoutingTables {

  private RoutingTables() {}

  /**
   * @param regions the accepted regions ({@code status.acceptedRegions}), in order
   * @param bucketMap the bucket map of {@code status.bucketLayout} ({@link
   *     BucketLayouts#bucketMap})
   */
  public static RoutingTable of(
      List<RegionSpec> regions,
      int buckets,
      List<BucketAssignment> bucketMap,
      TopologyState state,
      Instant now) {
    Map<String, RegionRoute> routes = new LinkedHashMap<>();
    for (RegionSpec region : regions) {
      RegionState observed = state.regions().get(region.getName());
      routes.put(
          region.getName(),
          new RegionRoute(
              observed == null ? null : observed.phase(),
              observed == null ? null : observed.servedBy(),
              region.getFrontDoor().getUrl(),
              region.getResidency()));
    }
    return new RoutingTable(state.epoch(), buckets, routes, List.copyOf(bucketMap), now.toString());
  }
}
