package dev.homeport.crds.v1alpha1.status;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.List;

/** The report of one failover drill. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class DrillRecord {

  @JsonPropertyDescription("Drill identifier, from spec.drill.id.")
  private String id;

  @JsonPropertyDescription("Region that was failed over.")
  private String region;

  @JsonPropertyDescription("Region that served its keys during the drill.")
  private String peer;

  @JsonPropertyDescription("Running, Succeeded, Aborted, Refused or Failed.")
  private DrillResult result;

  @JsonPropertyDescription(
      "While Running: PreChecks, Fencing, CatchingUp, Verifying, Holding, FailingBack or"
          + " VerifyingBack; once ended, the last phase reached.")
  private DrillPhase phase;

  @JsonPropertyDescription(
      "While Running: Aborted or Failed once the drill was stopped early and is failing back; the"
          + " result it ends with.")
  private DrillResult pendingResult;

  @JsonPropertyDescription("When the drill started (RFC 3339).")
  private String startedAt;

  @JsonPropertyDescription("When the drill ended, after failback (RFC 3339).")
  private String finishedAt;

  @JsonPropertyDescription("How long the peer serves the region's keys, from spec.drill.holdFor.")
  private String holdFor;

  @JsonPropertyDescription("When the hold ends and the region fails back (RFC 3339).")
  private String holdUntil;

  @JsonPropertyDescription(
      "Measured recovery time: from drill start until every synthetic request was served by the"
          + " peer (e.g. 2.4s).")
  private String rto;

  @JsonPropertyDescription(
      "RPO proxy: how long the peer took to apply the region's writes up to the fence (e.g."
          + " 120ms); absent when the region has no replicationProbe.")
  private String rpo;

  @JsonPropertyDescription(
      "Writes of the region the peer had not applied at the cut (from the replication probe).")
  private Long replicationLag;

  @JsonPropertyDescription("Synthetic requests sent through the front-doors during the drill.")
  private Long syntheticRequests;

  @JsonPropertyDescription("p99 latency of the synthetic requests (e.g. 35ms).")
  private String p99Latency;

  @JsonPropertyDescription("Routing epochs the drill published, e.g. 41→42→44.")
  private String epochs;

  @JsonPropertyDescription(
      "Remarks on how the drill was run or measured, e.g. that the region has no"
          + " replicationProbe, so the flip did not wait for replication.")
  private List<String> notes;

  @JsonPropertyDescription(
      "Client-visible errors counted during the drill, outside the fenced window.")
  private Long errors;

  @JsonPropertyDescription("Why the drill was aborted, refused or failed.")
  private String reason;

  public DrillRecord() {}

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

  public String getPeer() {
    return peer;
  }

  public void setPeer(String peer) {
    this.peer = peer;
  }

  public DrillResult getResult() {
    return result;
  }

  public void setResult(DrillResult result) {
    this.result = result;
  }

  public String getStartedAt() {
    return startedAt;
  }

  public void setStartedAt(String startedAt) {
    this.startedAt = startedAt;
  }

  public String getFinishedAt() {
    return finishedAt;
  }

  public void setFinishedAt(String finishedAt) {
    this.finishedAt = finishedAt;
  }

  public String getRto() {
    return rto;
  }

  public void setRto(String rto) {
    this.rto = rto;
  }

  public String getRpo() {
    return rpo;
  }

  public void setRpo(String rpo) {
    this.rpo = rpo;
  }

  public Long getErrors() {
    return errors;
  }

  public void setErrors(Long errors) {
    this.errors = errors;
  }

  public String getReason() {
    return reason;
  }

  public void setReason(String reason) {
    this.reason = reason;
  }

  public DrillPhase getPhase() {
    return phase;
  }

  public void setPhase(DrillPhase phase) {
    this.phase = phase;
  }

  public DrillResult getPendingResult() {
    return pendingResult;
  }

  public void setPendingResult(DrillResult pendingResult) {
    this.pendingResult = pendingResult;
  }

  public String getHoldFor() {
    return holdFor;
  }

  public void setHoldFor(String holdFor) {
    this.holdFor = holdFor;
  }

  public String getHoldUntil() {
    return holdUntil;
  }

  public void setHoldUntil(String holdUntil) {
    this.holdUntil = holdUntil;
  }

  public Long getReplicationLag() {
    return replicationLag;
  }

  public void setReplicationLag(Long replicationLag) {
    this.replicationLag = replicationLag;
  }

  public Long getSyntheticRequests() {
    return syntheticRequests;
  }

  public void setSyntheticRequests(Long syntheticRequests) {
    this.syntheticRequests = syntheticRequests;
  }

  public String getP99Latency() {
    return p99Latency;
  }

  public void setP99Latency(String p99Latency) {
    this.p99Latency = p99Latency;
  }

  public String getEpochs() {
    return epochs;
  }

  public void setEpochs(String epochs) {
    this.epochs = epochs;
  }

  public List<String> getNotes() {
    return notes;
  }

  public void setNotes(List<String> notes) {
    this.notes = notes;
  }
}
