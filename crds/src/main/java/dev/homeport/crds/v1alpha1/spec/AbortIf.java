package dev.homeport.crds.v1alpha1.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.homeport.crds.v1alpha1.Validation;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;

/** Thresholds on a drill's synthetic requests beyond which the drill is aborted. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class AbortIf {

  @Pattern(Validation.FRACTION)
  @Size(max = 16)
  @JsonPropertyDescription(
      "Share of synthetic requests that may fail (non-2xx or no answer) outside the fenced window"
          + " before the drill is aborted, as a fraction, e.g. \"0.05\" for 5 %.")
  private String errorRate;

  @Pattern(Validation.DURATION)
  @Size(max = 32)
  @JsonPropertyDescription(
      "Highest p99 latency of the synthetic requests before the drill is aborted, e.g. 2s.")
  private String p99Latency;

  public AbortIf() {}

  public AbortIf(String errorRate, String p99Latency) {
    this.errorRate = errorRate;
    this.p99Latency = p99Latency;
  }

  public String getErrorRate() {
    return errorRate;
  }

  public void setErrorRate(String errorRate) {
    this.errorRate = errorRate;
  }

  public String getP99Latency() {
    return p99Latency;
  }

  public void setP99Latency(String p99Latency) {
    this.p99Latency = p99Latency;
  }
}
