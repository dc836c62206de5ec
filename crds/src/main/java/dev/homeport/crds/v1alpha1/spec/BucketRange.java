package dev.homeport.crds.v1alpha1.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.homeport.crds.v1alpha1.Validation;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** A range of buckets homed in one region, for explicit placement. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value =
        "!self.buckets.contains('-') || int(self.buckets.split('-')[0]) <="
            + " int(self.buckets.split('-')[1])",
    messageExpression =
        "'bucket range ' + self.buckets + ' ends before it starts; write it as start-end with start"
            + " <= end'",
    fieldPath = ".buckets")
public class BucketRange {

  @Required
  @Pattern(Validation.BUCKET_RANGE)
  @Size(max = 13)
  @JsonPropertyDescription("A bucket (7) or an inclusive range of buckets (0-511).")
  private String buckets;

  @Required
  @Pattern(Validation.REGION_NAME)
  @Size(max = 32)
  @JsonPropertyDescription("Region these buckets are homed in.")
  private String region;

  public BucketRange() {}

  public BucketRange(String buckets, String region) {
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
}
