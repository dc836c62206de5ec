package dev.homeport.crds.v1alpha1.status;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The bucket → home region map the routing table carries, fixed once. spec.placement only seeds it:
 * adding, removing or reordering regions or changing a capacityWeight never recomputes it, so no
 * key moves without a HomeAssignment. The only change ever made to it is re-pointing a departed
 * region's ranges to where the bucket entries of earlier moves already sent them.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class BucketLayout {

  @JsonPropertyDescription("Number of buckets the layout covers (spec.placement.buckets).")
  private Integer buckets;

  @JsonPropertyDescription(
      "The home region of every bucket, as ranges covering 0 to buckets-1 in order; bucket entries"
          + " written by HomeAssignments in each region's Redis override it bucket by bucket.")
  private List<LayoutRange> ranges = new ArrayList<>();

  @JsonPropertyDescription(
      "Placement: computed from spec.placement at the first reconcile; RoutingTable: adopted from"
          + " the routing table with the highest epoch in the regions' Redis.")
  private LayoutSource source;

  @JsonPropertyDescription("When the operator fixed the layout (RFC 3339).")
  private String fixedAt;

  @JsonPropertyDescription(
      "Routing epoch when the layout was fixed: the operator's, or that of the adopted table.")
  private Long fixedAtEpoch;

  @JsonPropertyDescription(
      "The last change to the layout since it was fixed (a departed region's ranges re-pointed),"
          + " for people; empty while it is as fixed.")
  private String lastChange;

  public BucketLayout() {}

  public Integer getBuckets() {
    return buckets;
  }

  public void setBuckets(Integer buckets) {
    this.buckets = buckets;
  }

  public List<LayoutRange> getRanges() {
    return ranges;
  }

  public void setRanges(List<LayoutRange> ranges) {
    this.ranges = ranges;
  }

  public LayoutSource getSource() {
    return source;
  }

  public void setSource(LayoutSource source) {
    this.source = source;
  }

  public String getFixedAt() {
    return fixedAt;
  }

  public void setFixedAt(String fixedAt) {
    this.fixedAt = fixedAt;
  }

  public Long getFixedAtEpoch() {
    return fixedAtEpoch;
  }

  public void setFixedAtEpoch(Long fixedAtEpoch) {
    this.fixedAtEpoch = fixedAtEpoch;
  }

  public String getLastChange() {
    return lastChange;
  }

  public void setLastChange(String lastChange) {
    this.lastChange = lastChange;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof BucketLayout other
        && Objects.equals(buckets, other.buckets)
        && Objects.equals(ranges, other.ranges)
        && source == other.source
        && Objects.equals(fixedAt, other.fixedAt)
        && Objects.equals(fixedAtEpoch, other.fixedAtEpoch)
        && Objects.equals(lastChange, other.lastChange);
  }

  @Override
  public int hashCode() {
    return Objects.hash(buckets, ranges, source, fixedAt, fixedAtEpoch, lastChange);
  }
}
