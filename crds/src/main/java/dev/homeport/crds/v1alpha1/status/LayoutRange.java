package dev.homeport.crds.v1alpha1.status;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Objects;

/** One range of the bucket layout: buckets whose home is one region unless a move says else. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class LayoutRange {

  @JsonPropertyDescription("A bucket (7) or an inclusive range of buckets (0-1364).")
  private String buckets;

  @JsonPropertyDescription("Region the layout homes these buckets in.")
  private String region;

  public LayoutRange() {}

  public LayoutRange(String buckets, String region) {
    this.buckets = buckets;
    this.region = region;
  }

  public String getBuckets() {
    return buckets;
  }

  public void setBuckets(String buckets) {
    this.buckets = buckets;
  }

  public String getRegion() {
    return region;
  }

  public void setRegion(String region) {
    this.region = region;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof LayoutRange other
        && Objects.equals(buckets, other.buckets)
        && Objects.equals(region, other.region);
  }

  @Override
  public int hashCode() {
    return Objects.hash(buckets, region);
  }

  @Override
  public String toString() {
    return buckets + ":" + region;
  }
}
