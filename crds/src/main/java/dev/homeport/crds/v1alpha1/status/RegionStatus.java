package dev.homeport.crds.v1alpha1.status;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** The observed state of one region. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RegionStatus {

  @JsonPropertyDescription("Region name, as in spec.regions.")
  private String name;

  @JsonPropertyDescription(
      "Active, Suspect, Fenced, FailedOver, Recovering or Draining, as observed by the operator.")
  private RegionPhase phase;

  @JsonPropertyDescription(
      "Region whose front-door serves this region's keys; empty while it serves them itself.")
  private String servedBy;

  @JsonPropertyDescription("When the region last passed a probe (RFC 3339).")
  private String lastHeartbeat;

  @JsonPropertyDescription("When the region's current write lease expires (RFC 3339).")
  private String leaseExpiresAt;

  @JsonPropertyDescription("Consecutive failed probes.")
  private Integer consecutiveFailures;

  @JsonPropertyDescription("Why the region is in this phase, for a person to read.")
  private String message;

  @JsonPropertyDescription(
      "Peer chosen to serve the region's keys once its lease has expired (while Fenced).")
  private String failoverTarget;

  @JsonPropertyDescription(
      "Since when the region has passed every probe (RFC 3339); failback waits for failback.stableFor"
          + " of it.")
  private String healthySince;

  @JsonPropertyDescription("When the region entered its phase (RFC 3339).")
  private String phaseSince;

  @JsonPropertyDescription(
      "Buckets the region homes: its ranges of status.bucketLayout, plus buckets moved to it and"
          + " minus buckets moved away by HomeAssignments.")
  private Integer homedBuckets;

  @JsonPropertyDescription(
      "True while the region is no longer in spec.regions but still homes keys or is still in use;"
          + " it stays routed, leased and probed until then (see the RegionsValid condition).")
  private Boolean removalPending;

  public RegionStatus() {}

  public RegionStatus(String name, RegionPhase phase) {
    this.name = name;
    this.phase = phase;
  }

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  public RegionPhase getPhase() {
    return phase;
  }

  public void setPhase(RegionPhase phase) {
    this.phase = phase;
  }

  public String getServedBy() {
    return servedBy;
  }

  public void setServedBy(String servedBy) {
    this.servedBy = servedBy;
  }

  public String getLastHeartbeat() {
    return lastHeartbeat;
  }

  public void setLastHeartbeat(String lastHeartbeat) {
    this.lastHeartbeat = lastHeartbeat;
  }

  public String getLeaseExpiresAt() {
    return leaseExpiresAt;
  }

  public void setLeaseExpiresAt(String leaseExpiresAt) {
    this.leaseExpiresAt = leaseExpiresAt;
  }

  public Integer getConsecutiveFailures() {
    return consecutiveFailures;
  }

  public void setConsecutiveFailures(Integer consecutiveFailures) {
    this.consecutiveFailures = consecutiveFailures;
  }

  public String getMessage() {
    return message;
  }

  public void setMessage(String message) {
    this.message = message;
  }

  public String getFailoverTarget() {
    return failoverTarget;
  }

  public void setFailoverTarget(String failoverTarget) {
    this.failoverTarget = failoverTarget;
  }

  public String getHealthySince() {
    return healthySince;
  }

  public void setHealthySince(String healthySince) {
    this.healthySince = healthySince;
  }

  public String getPhaseSince() {
    return phaseSince;
  }

  public void setPhaseSince(String phaseSince) {
    this.phaseSince = phaseSince;
  }

  public Integer getHomedBuckets() {
    return homedBuckets;
  }

  public void setHomedBuckets(Integer homedBuckets) {
    this.homedBuckets = homedBuckets;
  }

  public Boolean getRemovalPending() {
    return removalPending;
  }

  public void setRemovalPending(Boolean removalPending) {
    this.removalPending = removalPending;
  }
}
