package dev.homeport.crds.v1alpha1.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.homeport.crds.v1alpha1.Validation;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import java.util.List;

/** The guard rails of planned failover drills ({@code spec.drill}). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class DrillPolicy {

  @Size(max = 32)
  @JsonPropertyDescription(
      "Times when no drill may start (release freezes, peak hours); a drill requested inside one is"
          + " Refused, naming the window and when it ends.")
  private List<BlockedWindow> blockedWindows;

  @JsonPropertyDescription(
      "Thresholds on the drill's synthetic requests that abort it: the region fails back at once"
          + " and the report says why. Without them a drill is only stopped by hand.")
  private AbortIf abortIf;

  @Default("{}")
  @JsonPropertyDescription(
      "The synthetic requests that verify the drill: sent through every region's public front-door"
          + " for keys homed in the drilled region.")
  private SyntheticRequests synthetic;

  @Default("2m")
  @Pattern(Validation.DURATION)
  @Size(max = 32)
  @JsonPropertyDescription(
      "Longest wait for replication catch-up, and for the synthetic requests to be served where"
          + " they should, before the drill gives up and fails back (default 2m).")
  private String phaseTimeout;

  public DrillPolicy() {}

  public List<BlockedWindow> getBlockedWindows() {
    return blockedWindows;
  }

  public void setBlockedWindows(List<BlockedWindow> blockedWindows) {
    this.blockedWindows = blockedWindows;
  }

  public AbortIf getAbortIf() {
    return abortIf;
  }

  public void setAbortIf(AbortIf abortIf) {
    this.abortIf = abortIf;
  }

  public SyntheticRequests getSynthetic() {
    return synthetic;
  }

  public void setSynthetic(SyntheticRequests synthetic) {
    this.synthetic = synthetic;
  }

  public String getPhaseTimeout() {
    return phaseTimeout;
  }

  public void setPhaseTimeout(String phaseTimeout) {
    this.phaseTimeout = phaseTimeout;
  }
}
