package dev.homeport.operator.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.homeport.contract.BucketAssignment;
import dev.homeport.crds.v1alpha1.spec.BucketRange;
import dev.homeport.crds.v1alpha1.spec.Placement;
import dev.homeport.crds.v1alpha1.spec.PlacementRule;
import dev.homeport.crds.v1alpha1.spec.RegionSpec;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class BucketPlacementTest {

  private static RegionSpec region(String name, int weight) {
    RegionSpec region = new RegionSpec();
    region.setName(name);
    region.setCapacityWeight(weight);
    return region;
  }

  private static Placement placement(int buckets, PlacementRule rule) {
    Placement placement = new Placement();
    placement.setBuckets(buckets);
    placement.setRule(rule);
    return placement;
  }

  @Test
  void contiguousSplitsEquallyInSpecOrder() {
    List<BucketAssignment> map =
        BucketPlacement.of(
            placement(4096, PlacementRule.Contiguous),
            List.of(region("mumbai", 100), region("frankfurt", 100), region("singapore", 150)));
    assertThat(map)
        .containsExactly(
            new BucketAssignment(0, 1364, "mumbai"),
            new BucketAssignment(1365, 2729, "frankfurt"),
            new BucketAssignment(2730, 4095, "singapore"));
  }

  @Test
  void weightedSizesRangesByCapacity() {
    List<BucketAssignment> map =
        BucketPlacement.of(
            placement(100, PlacementRule.Weighted),
            List.of(region("mumbai", 100), region("singapore", 300)));
    assertThat(map)
        .containsExactly(
            new BucketAssignment(0, 24, "mumbai"), new BucketAssignment(25, 99, "singapore"));
  }

  @Test
  void explicitRangesMustCoverEveryBucketOnce() {
    Placement placement = placement(8, PlacementRule.Explicit);
    placement.setRanges(List.of(range("0-3", "mumbai"), range("4-7", "frankfurt")));
    assertThat(BucketPlacement.of(placement, List.of()))
        .containsExactly(
            new BucketAssignment(0, 3, "mumbai"), new BucketAssignment(4, 7, "frankfurt"));

    placement.setRanges(List.of(range("0-3", "mumbai"), range("5-7", "frankfurt")));
    assertThatThrownBy(() -> BucketPlacement.of(placement, List.of()))
        .hasMessageContaining("leaves bucket 4 without a region");
    placement.setRanges(List.of(range("0-4", "mumbai"), range("4-7", "frankfurt")));
    assertThatThrownBy(() -> BucketPlacement.of(placement, List.of()))
        .hasMessageContaining(
            "spec.placement.ranges[1].buckets 4-7 overlaps bucket 4 of region mumbai");
  }

  /** Every rule covers 0..buckets-1 exactly once, and every region gets at least one bucket. */
  @Property(tries = 300)
  void contiguousAndWeightedCoverEveryBucketOnce(
      @ForAll @IntRange(min = 1, max = 8) int regionCount,
      @ForAll @IntRange(min = 8, max = 5000) int buckets,
      @ForAll @IntRange(min = 0, max = 10000) int firstWeight,
      @ForAll boolean weighted) {
    List<RegionSpec> regions = new ArrayList<>();
    for (int i = 0; i < regionCount; i++) {
      regions.add(region("r" + i, i == 0 ? firstWeight : 100 + i * 37));
    }
    List<BucketAssignment> map =
        BucketPlacement.of(
            placement(buckets, weighted ? PlacementRule.Weighted : PlacementRule.Contiguous),
            regions);
    assertThat(map).hasSize(regionCount);
    int next = 0;
    for (BucketAssignment range : map) {
      assertThat(range.from()).isEqualTo(next);
      assertThat(range.to()).isGreaterThanOrEqualTo(range.from());
      next = range.to() + 1;
    }
    assertThat(next).isEqualTo(buckets);
  }

  private static BucketRange range(String buckets, String region) {
    BucketRange range = new BucketRange();
    range.setBuckets(buckets);
    range.setRegion(region);
    return range;
  }
}
