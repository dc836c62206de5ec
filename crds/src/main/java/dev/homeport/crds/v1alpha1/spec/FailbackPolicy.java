package dev.homeport.crds.v1alpha1.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.homeport.crds.v1alpha1.Validation;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;

/** When a recovered region gets its keys back. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class FailbackPolicy {

  @Default("Manual")
  @JsonPropertyDescription(
      "Automatic: fail back once the region has been healthy for stableFor. Manual: wait for"
          + " approval (kubectl homeport failback <region> --approve).")
  private ApprovalMode mode;

  @Default("5m")
  @Pattern(Validation.DURATION)
  @Size(max = 32)
  @JsonPropertyDescription(
      "How long a failed-over region must pass every probe before it may fail back (hysteresis"
          + " against flapping), e.g. 5m.")
  private String stableFor;

  @Default("5m")
  @Pattern(Validation.DURATION)
  @Size(max = 32)
  @JsonPropertyDescription(
      "Longest wait, before failing back, for the region's application to apply the writes its"
          + " peer took for it (spec.regions[].replicationProbe of both). The peer keeps serving"
          + " the keys while the region waits; past this the failback is held with a Warning until"
          + " it catches up or a person skips the wait (kubectl homeport failback <region>"
          + " --approve --skip-catch-up), e.g. 5m.")
  private String catchUpTimeout;

  public FailbackPolicy() {}

  public String getCatchUpTimeout() {
    return catchUpTimeout;
  }

  public void setCatchUpTimeout(String catchUpTimeout) {
    this.catchUpTimeout = catchUpTimeout;
  }

  public ApprovalMode getMode() {
    return mode;
  }

  public void setMode(ApprovalMode mode) {
    this.mode = mode;
  }

  public String getStableFor() {
    return stableFor;
  }

  public void setStableFor(String stableFor) {
    this.stableFor = stableFor;
  }
}
