package dev.homeport.crds.v1alpha1.status;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;

/** Progress of a re-homing. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class HomeAssignmentStatus {

  @JsonPropertyDescription("The metadata.generation this status was computed from.")
  private Long observedGeneration;

  @JsonPropertyDescription(
      "Pending, Validating, Fencing, Draining, Switching, Completed, Failed or RolledBack.")
  private HomeAssignmentPhase phase;

  @JsonPropertyDescription(
      "Keys in the subject; for buckets, the keys the applications report in them (the number of"
          + " buckets when they report none).")
  private Long totalKeys;

  @JsonPropertyDescription("Keys whose new home has been switched.")
  private Long movedKeys;

  @JsonPropertyDescription("Index of the batch being moved, from 1.")
  private Integer currentBatch;

  @JsonPropertyDescription("Number of batches of the move.")
  private Integer totalBatches;

  @JsonPropertyDescription(
      "Keys per batch (for buckets, on average); each batch is fenced only while it moves.")
  private Integer batchSize;

  @JsonPropertyDescription(
      "Units (keys, or buckets) per batch, fixed when the move was validated: an operator that"
          + " resumes the move cuts the same batches.")
  private Integer unitsPerBatch;

  @JsonPropertyDescription(
      "When the current batch was fenced (RFC 3339); it must switch within maxWriteUnavailability"
          + " of this or it rolls back.")
  private String fencedAt;

  @JsonPropertyDescription("When the move started (RFC 3339).")
  private String startedAt;

  @JsonPropertyDescription("When the current phase started (RFC 3339).")
  private String phaseStartedAt;

  @JsonPropertyDescription("When the move completed, failed or rolled back (RFC 3339).")
  private String finishedAt;

  @JsonPropertyDescription(
      "Measured per-key write-unavailability window: longest time any key refused writes (e.g."
          + " 180ms).")
  private String writeUnavailability;

  @JsonPropertyDescription("Routing epoch published when the new homes were switched.")
  private Long routingEpoch;

  @JsonPropertyDescription("Why the move is in this phase, for a person to read.")
  private String message;

  @JsonPropertyDescription(
      "Validation results and refusals, in the Kubernetes condition convention.")
  private List<Condition> conditions = new ArrayList<>();

  public HomeAssignmentStatus() {}

  public Long getObservedGeneration() {
    return observedGeneration;
  }

  public void setObservedGeneration(Long observedGeneration) {
    this.observedGeneration = observedGeneration;
  }

  public HomeAssignmentPhase getPhase() {
    return phase;
  }

  public void setPhase(HomeAssignmentPhase phase) {
    this.phase = phase;
  }

  public Long getTotalKeys() {
    return totalKeys;
  }

  public void setTotalKeys(Long totalKeys) {
    this.totalKeys = totalKeys;
  }

  public Long getMovedKeys() {
    return movedKeys;
  }

  public void setMovedKeys(Long movedKeys) {
    this.movedKeys = movedKeys;
  }

  public Integer getCurrentBatch() {
    return currentBatch;
  }

  public void setCurrentBatch(Integer currentBatch) {
    this.currentBatch = currentBatch;
  }

  public Integer getTotalBatches() {
    return totalBatches;
  }

  public void setTotalBatches(Integer totalBatches) {
    this.totalBatches = totalBatches;
  }

  public Integer getBatchSize() {
    return batchSize;
  }

  public void setBatchSize(Integer batchSize) {
    this.batchSize = batchSize;
  }

  public Integer getUnitsPerBatch() {
    return unitsPerBatch;
  }

  public void setUnitsPerBatch(Integer unitsPerBatch) {
    this.unitsPerBatch = unitsPerBatch;
  }

  public String getFencedAt() {
    return fencedAt;
  }

  public void setFencedAt(String fencedAt) {
    this.fencedAt = fencedAt;
  }

  public String getStartedAt() {
    return startedAt;
  }

  public void setStartedAt(String startedAt) {
    this.startedAt = startedAt;
  }

  public String getPhaseStartedAt() {
    return phaseStartedAt;
  }

  public void setPhaseStartedAt(String phaseStartedAt) {
    this.phaseStartedAt = phaseStartedAt;
  }

  public String getFinishedAt() {
    return finishedAt;
  }

  public void setFinishedAt(String finishedAt) {
    this.finishedAt = finishedAt;
  }

  public String getWriteUnavailability() {
    return writeUnavailability;
  }

  public void setWriteUnavailability(String writeUnavailability) {
    this.writeUnavailability = writeUnavailability;
  }

  public Long getRoutingEpoch() {
    return routingEpoch;
  }

  public void setRoutingEpoch(Long routingEpoch) {
    this.routingEpoch = routingEpoch;
  }

  public String getMessage() {
    return message;
  }

  public void setMessage(String message) {
    this.message = message;
  }

  public List<Condition> getConditions() {
    return conditions;
  }

  public void setConditions(List<Condition> conditions) {
    this.conditions = conditions;
  }
}
