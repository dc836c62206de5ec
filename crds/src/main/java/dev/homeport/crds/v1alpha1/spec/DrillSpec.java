package dev.homeport.crds.v1alpha1.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.homeport.crds.v1alpha1.Validation;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** A planned failover drill; setting it on the RegionTopology starts the drill. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class DrillSpec {

  @Required
  @Pattern(Validation.DRILL_ID)
  @Size(max = 63)
  @JsonPropertyDescription("Identifier of the drill (e.g. Q4-2026), used to find its report.")
  private String id;

  @Required
  @Pattern(Validation.REGION_NAME)
  @Size(max = 32)
  @JsonPropertyDescription("Region to fail over for the drill; its first healthy peer takes over.")
  private String region;

  @Default("10m")
  @Pattern(Validation.DURATION)
  @Size(max = 32)
  @JsonPropertyDescription("How long the peer serves the region's keys before failing back.")
  private String holdFor;

  public DrillSpec() {}

  public DrillSpec(String id, String region, String holdFor) {
    this.id = id;
    this.region = region;
    this.holdFor = holdFor;
  }

  public String getId() {
    return id;
  }

  public void setId(String id) {
    this.id = id;
  }

  public String getRegion() {
    return region;
  }

  public void setRegion(String region) {
    this.region = region;
  }

  public String getHoldFor() {
    return holdFor;
  }

  public void setHoldFor(String holdFor) {
    this.holdFor = holdFor;
  }
}
