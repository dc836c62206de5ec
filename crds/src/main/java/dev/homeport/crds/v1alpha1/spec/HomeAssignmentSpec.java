package dev.homeport.crds.v1alpha1.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.homeport.crds.v1alpha1.Validation;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** Which keys move to which home region, and how gently. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "self == oldSelf",
    message =
        "spec is immutable once a move has begun; delete this HomeAssignment (an in-flight move"
            + " rolls back) and create a new one")
@ValidationRule(
    value = "duration(self.maxWriteUnavailability) >= duration('100ms')",
    message =
        "maxWriteUnavailability must be at least 100ms, or no batch can drain before it times out",
    fieldPath = ".maxWriteUnavailability")
public class HomeAssignmentSpec {

  @Required
  @JsonPropertyDescription("The keys to move: exactly one of keys or buckets.")
  private Subject subject;

  @Required
  @Pattern(Validation.REGION_NAME)
  @Size(max = 32)
  @JsonPropertyDescription("Region that becomes the home of the keys; it must be Active.")
  private String toRegion;

  @Size(max = 1024)
  @JsonPropertyDescription("Why the keys move, for the audit trail (e.g. user relocated to EU).")
  private String reason;

  @Pattern(Validation.RESIDENCY)
  @Size(max = 32)
  @JsonPropertyDescription(
      "Residency the keys must stay in; defaults to the residency of their current home region.")
  private String residency;

  @Default("2s")
  @Pattern(Validation.DURATION)
  @Size(max = 32)
  @JsonPropertyDescription(
      "Longest a key may refuse writes while it moves; a batch that cannot switch in time rolls"
          + " back.")
  private String maxWriteUnavailability;

  @Default("1000")
  @Min(1)
  @Max(1000000)
  @JsonPropertyDescription(
      "Keys per second for bulk moves; each batch is fenced only while it moves. For buckets the"
          + " keys are counted by the applications' replicationProbe; without counts this is"
          + " buckets per second.")
  private Integer rate;

  public HomeAssignmentSpec() {}

  public Subject getSubject() {
    return subject;
  }

  public void setSubject(Subject subject) {
    this.subject = subject;
  }

  public String getToRegion() {
    return toRegion;
  }

  public void setToRegion(String toRegion) {
    this.toRegion = toRegion;
  }

  public String getReason() {
    return reason;
  }

  public void setReason(String reason) {
    this.reason = reason;
  }

  public String getResidency() {
    return residency;
  }

  public void setResidency(String residency) {
    this.residency = residency;
  }

  public String getMaxWriteUnavailability() {
    return maxWriteUnavailability;
  }

  public void setMaxWriteUnavailability(String maxWriteUnavailability) {
    this.maxWriteUnavailability = maxWriteUnavailability;
  }

  public Integer getRate() {
    return rate;
  }

  public void setRate(Integer rate) {
    this.rate = rate;
  }
}
