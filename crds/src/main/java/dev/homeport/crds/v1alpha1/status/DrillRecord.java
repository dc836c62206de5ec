package dev.homeport.crds.v1alpha1.status;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

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

  @JsonPropertyDescription("When the drill started (RFC 3339).")
  private String startedAt;

  @JsonPropertyDescription("When the drill ended, after failback (RFC 3339).")
  private String finishedAt;

  @JsonPropertyDescription(
      "Measured recovery time: from drill start until every synthetic request was served by the"
          + " peer (e.g. 2.4s).")
  private String rto;

  @JsonPropertyDescription("RPO proxy: replication lag measured at the cut-over (e.g. 120ms).")
  private String rpo;

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
}
