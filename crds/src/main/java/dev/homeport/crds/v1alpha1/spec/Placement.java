package dev.homeport.crds.v1alpha1.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;

/**
 * The initial bucket → region map. A key's bucket is {@code hash(key) mod buckets}. The operator
 * lays the buckets out once, at the first reconcile, and keeps that layout in {@code
 * status.bucketLayout}: later changes to spec.regions (order, capacityWeight, regions added or
 * removed) never lay them out again. Once keys are placed, only a HomeAssignment moves them, so
 * placement cannot change after creation either.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "self == oldSelf",
    message =
        "placement is immutable: changing it would silently re-home keys; move keys with a"
            + " HomeAssignment instead")
@ValidationRule(
    value =
        "!has(self.rule) || self.rule != 'Explicit' || (has(self.ranges) && size(self.ranges) > 0)",
    message =
        "placement.rule Explicit needs placement.ranges; list the bucket ranges of each region",
    fieldPath = ".ranges")
@ValidationRule(
    value =
        "(has(self.rule) && self.rule == 'Explicit') || !has(self.ranges) || size(self.ranges) == 0",
    message =
        "placement.ranges is only read with rule Explicit; set rule: Explicit or remove ranges",
    fieldPath = ".ranges")
public class Placement {

  @Default("4096")
  @Min(1)
  @Max(65536)
  @JsonPropertyDescription(
      "Number of buckets keys hash into (default 4096). More buckets give finer moves; it cannot"
          + " change after creation.")
  private Integer buckets;

  @Default("Contiguous")
  @JsonPropertyDescription(
      "Initial bucket → region map, applied once to spec.regions as they are at the first"
          + " reconcile: Contiguous (equal ranges in region order), Weighted (by capacityWeight) or"
          + " Explicit (from ranges).")
  private PlacementRule rule;

  @Size(max = 256)
  @JsonPropertyDescription("Bucket ranges per region, read only with rule Explicit.")
  private List<BucketRange> ranges;

  public Placement() {}

  public Integer getBuckets() {
    return buckets;
  }

  public void setBuckets(Integer buckets) {
    this.buckets = buckets;
  }

  public PlacementRule getRule() {
    return rule;
  }

  public void setRule(PlacementRule rule) {
    this.rule = rule;
  }

  public List<BucketRange> getRanges() {
    return ranges;
  }

  public void setRanges(List<BucketRange> ranges) {
    this.ranges = ranges;
  }
}
