package dev.homeport.crds.v1alpha1.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.homeport.crds.v1alpha1.Validation;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * How the operator detects a failed region and hands its keys to a peer. The rules guard with
 * {@code has()} because the API server also checks them against the schema's {@code {}} default,
 * before the fields' own defaults apply.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value =
        "!has(self.leaseDuration) || !has(self.probeInterval) || duration(self.leaseDuration) >"
            + " duration(self.probeInterval)",
    messageExpression =
        "'failover.leaseDuration (' + self.leaseDuration + ') must be longer than"
            + " failover.probeInterval (' + self.probeInterval + '), or a region is fenced before"
            + " it is even probed; raise leaseDuration or lower probeInterval'",
    fieldPath = ".leaseDuration")
@ValidationRule(
    value = "!has(self.leaseDuration) || duration(self.leaseDuration) >= duration('1s')",
    message =
        "failover.leaseDuration must be at least 1s: renewals every leaseDuration/3 need time to"
            + " cross regions",
    fieldPath = ".leaseDuration")
@ValidationRule(
    value = "!has(self.probeInterval) || duration(self.probeInterval) >= duration('100ms')",
    message = "failover.probeInterval must be at least 100ms",
    fieldPath = ".probeInterval")
public class FailoverPolicy {

  @Default("Automatic")
  @JsonPropertyDescription(
      "Automatic: fail a region over as soon as the rules allow. Manual: report and wait for"
          + " approval (kubectl homeport failover <region> --approve).")
  private ApprovalMode mode;

  @Default("10s")
  @Pattern(Validation.DURATION)
  @Size(max = 32)
  @JsonPropertyDescription(
      "How long a region's write lease lasts. The operator renews it every leaseDuration/3; a"
          + " front-door that sees no renewal for leaseDuration fences its own writes.")
  private String leaseDuration;

  @Default("2s")
  @Pattern(Validation.DURATION)
  @Size(max = 32)
  @JsonPropertyDescription("How often the operator probes each region's front-door and Redis.")
  private String probeInterval;

  @Default("3")
  @Min(1)
  @Max(100)
  @JsonPropertyDescription(
      "Consecutive failed probes before a region is Suspect; a region is never failed over on one"
          + " missed probe.")
  private Integer failureThreshold;

  @Default("1s")
  @Pattern(Validation.DURATION)
  @Size(max = 32)
  @JsonPropertyDescription(
      "Extra wait after a lease has expired before a peer serves the region's keys, covering clock"
          + " rate differences between operator and front-door.")
  private String skewMargin;

  @Default("1")
  @Min(1)
  @Max(64)
  @JsonPropertyDescription(
      "Fewest regions that must stay Active; a failover that would leave fewer is refused.")
  private Integer minActiveRegions;

  @Default("1")
  @Min(1)
  @Max(64)
  @JsonPropertyDescription("Most regions that may be failed over at the same time.")
  private Integer maxConcurrentFailovers;

  @Default("{}")
  @JsonPropertyDescription("When a recovered region gets its keys back.")
  private FailbackPolicy failback;

  public FailoverPolicy() {}

  public ApprovalMode getMode() {
    return mode;
  }

  public void setMode(ApprovalMode mode) {
    this.mode = mode;
  }

  public String getLeaseDuration() {
    return leaseDuration;
  }

  public void setLeaseDuration(String leaseDuration) {
    this.leaseDuration = leaseDuration;
  }

  public String getProbeInterval() {
    return probeInterval;
  }

  public void setProbeInterval(String probeInterval) {
    this.probeInterval = probeInterval;
  }

  public Integer getFailureThreshold() {
    return failureThreshold;
  }

  public void setFailureThreshold(Integer failureThreshold) {
    this.failureThreshold = failureThreshold;
  }

  public String getSkewMargin() {
    return skewMargin;
  }

  public void setSkewMargin(String skewMargin) {
    this.skewMargin = skewMargin;
  }

  public Integer getMinActiveRegions() {
    return minActiveRegions;
  }

  public void setMinActiveRegions(Integer minActiveRegions) {
    this.minActiveRegions = minActiveRegions;
  }

  public Integer getMaxConcurrentFailovers() {
    return maxConcurrentFailovers;
  }

  public void setMaxConcurrentFailovers(Integer maxConcurrentFailovers) {
    this.maxConcurrentFailovers = maxConcurrentFailovers;
  }

  public FailbackPolicy getFailback() {
    return failback;
  }

  public void setFailback(FailbackPolicy failback) {
    this.failback = failback;
  }
}
