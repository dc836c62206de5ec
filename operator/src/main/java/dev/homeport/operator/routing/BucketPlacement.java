package dev.homeport.operator.routing;

import dev.homeport.contract.BucketAssignment;
import dev.homeport.crds.v1alpha1.spec.BucketRange;
import dev.homeport.crds.v1alpha1.spec.Placement;
import dev.homeport.crds.v1alpha1.spec.PlacementRule;
import dev.homeport.crds.v1alpha1.spec.RegionSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * The bucket → home region map {@code spec.placement} gives a list of regions. Only {@link
 * BucketLayouts} calls it, once per topology, to seed {@code status.bucketLayout}: the map depends
 * on the regions, their order and weights, so computing it again after spec.regions changed would
 * move keys without a HomeAssignment. Pure.
 */
public final class BucketPlacement {

  private BucketPlacement() {}

  /**
   * Lays out the buckets.
   *
   * @throws IllegalArgumentException naming the field when explicit ranges leave a gap or overlap
   */
  public static List<BucketAssignment> of(Placement placement, List<RegionSpec> regions) {
    int buckets = placement.getBuckets();
    PlacementRule rule =
        placement.getRule() == null ? PlacementRule.Contiguous : placement.getRule();
    return switch (rule) {
      case Contiguous -> weighted(buckets, regions, false);
      case Weighted -> weighted(buckets, regions, true);
      case Explicit -> explicit(buckets, placement.getRanges());
    };
  }

  /**
   * Contiguous ranges in spec order, equal or by capacityWeight; every region gets at least one.
   */
  private static List<BucketAssignment> weighted(
      int buckets, List<RegionSpec> regions, boolean byWeight) {
    if (regions.size() > buckets) {
      throw new IllegalArgumentException(
          "spec.placement.buckets is "
              + buckets
              + ", fewer than the "
              + regions.size()
              + " regions; raise it");
    }
    long total = 0;
    for (RegionSpec region : regions) {
      total += byWeight ? Math.max(1, weight(region)) : 1;
    }
    List<BucketAssignment> map = new ArrayList<>();
    int from = 0;
    long cumulative = 0;
    for (int i = 0; i < regions.size(); i++) {
      RegionSpec region = regions.get(i);
      cumulative += byWeight ? Math.max(1, weight(region)) : 1;
      int left = regions.size() - i - 1;
      int to =
          i == regions.size() - 1
              ? buckets - 1
              : (int)
                  Math.min(buckets - 1 - left, Math.max(from, cumulative * buckets / total - 1));
      map.add(new BucketAssignment(from, to, region.getName()));
      from = to + 1;
    }
    return map;
  }

  private static int weight(RegionSpec region) {
    return region.getCapacityWeight() == null ? 100 : region.getCapacityWeight();
  }

  private static List<BucketAssignment> explicit(int buckets, List<BucketRange> ranges) {
    String[] owner = new String[buckets];
    List<BucketAssignment> map = new ArrayList<>();
    for (int i = 0; i < ranges.size(); i++) {
      BucketRange range = ranges.get(i);
      BucketSpan span = BucketSpan.parse(range.getBuckets());
      int from = span.from();
      int to = span.to();
      if (to >= buckets) {
        throw new IllegalArgumentException(
            "spec.placement.ranges["
                + i
                + "].buckets "
                + range.getBuckets()
                + " goes past bucket "
                + (buckets - 1));
      }
      for (int b = from; b <= to; b++) {
        if (owner[b] != null) {
          throw new IllegalArgumentException(
              "spec.placement.ranges["
                  + i
                  + "].buckets "
                  + range.getBuckets()
                  + " overlaps bucket "
                  + b
                  + " of region "
                  + owner[b]);
        }
        owner[b] = range.getRegion();
      }
      map.add(new BucketAssignment(from, to, range.getRegion()));
    }
    for (int b = 0; b < buckets; b++) {
      if (owner[b] == null) {
        throw new IllegalArgumentException(
            "spec.placement.ranges leaves bucket "
                + b
                + " without a region; cover 0-"
                + (buckets - 1));
      }
    }
    map.sort(java.util.Comparator.comparingInt(BucketAssignment::from));
    return map;
  }
}
