package dev.homeport.crds.v1alpha1.status;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.homeport.crds.v1alpha1.spec.RegionSpec;
import io.fabric8.generator.annotation.Size;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;

/** What the operator observes of the topology and what it has done. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RegionTopologyStatus {

  @JsonPropertyDescription("The metadata.generation this status was computed from.")
  private Long observedGeneration;

  @JsonPropertyDescription(
      "Epoch of the routing table last published to the regions; it only ever increases.")
  private Long routingEpoch;

  @JsonPropertyDescription("One line per region, name:phase[>servedBy], for kubectl get.")
  private String summary;

  @JsonPropertyDescription("Observed state of each region.")
  private List<RegionStatus> regions = new ArrayList<>();

  @JsonPropertyDescription(
      "The bucket → home region map of the routing table, fixed at the first reconcile; only"
          + " HomeAssignments move keys and buckets away from it.")
  private BucketLayout bucketLayout;

  @JsonPropertyDescription(
      "The regions the operator routes, leases and probes, as it last accepted them from"
          + " spec.regions: a region added there joins once its Redis holds the directory; a region"
          + " removed from there stays here, with the spec it had, until it homes nothing.")
  @Size(max = 64)
  private List<RegionSpec> acceptedRegions;

  @JsonPropertyDescription(
      "Ready, Degraded, FailoverInProgress, FailoverRefused, DrillInProgress, DrillPolicyValid and"
          + " RegionsValid, in the Kubernetes condition convention.")
  private List<Condition> conditions = new ArrayList<>();

  @JsonPropertyDescription(
      "Reports of the most recent failover drills, newest last (the last 20 are kept).")
  private List<DrillRecord> drills = new ArrayList<>();

  public RegionTopologyStatus() {}

  public Long getObservedGeneration() {
    return observedGeneration;
  }

  public void setObservedGeneration(Long observedGeneration) {
    this.observedGeneration = observedGeneration;
  }

  public Long getRoutingEpoch() {
    return routingEpoch;
  }

  public void setRoutingEpoch(Long routingEpoch) {
    this.routingEpoch = routingEpoch;
  }

  public String getSummary() {
    return summary;
  }

  public void setSummary(String summary) {
    this.summary = summary;
  }

  public List<RegionStatus> getRegions() {
    return regions;
  }

  public void setRegions(List<RegionStatus> regions) {
    this.regions = regions;
  }

  public BucketLayout getBucketLayout() {
    return bucketLayout;
  }

  public void setBucketLayout(BucketLayout bucketLayout) {
    this.bucketLayout = bucketLayout;
  }

  public List<RegionSpec> getAcceptedRegions() {
    return acceptedRegions;
  }

  public void setAcceptedRegions(List<RegionSpec> acceptedRegions) {
    this.acceptedRegions = acceptedRegions;
  }

  public List<Condition> getConditions() {
    return conditions;
  }

  public void setConditions(List<Condition> conditions) {
    this.conditions = conditions;
  }

  public List<DrillRecord> getDrills() {
    return drills;
  }

  public void setDrills(List<DrillRecord> drills) {
    this.drills = drills;
  }
}
