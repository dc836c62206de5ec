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
import java.util.ArrayList;
import java.util.List;

/** One region of the active-active estate. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "!has(self.failoverPeers) || !(self.name in self.failoverPeers)",
    messageExpression =
        "'region ' + self.name + ' lists itself in failoverPeers; a region cannot take over its own"
            + " keys, remove it'",
    fieldPath = ".failoverPeers")
@ValidationRule(
    value =
        "!has(self.failoverPeers) || self.failoverPeers.all(p, self.failoverPeers.exists_one(q, q =="
            + " p))",
    messageExpression =
        "'region ' + self.name + ' lists a peer more than once in failoverPeers; list each peer once'",
    fieldPath = ".failoverPeers")
public class RegionSpec {

  @Required
  @Pattern(Validation.REGION_NAME)
  @Size(max = 32)
  @JsonPropertyDescription(
      "Region name: a DNS label of at most 32 characters (e.g. mumbai), unique in the topology.")
  private String name;

  @Required
  @Pattern(Validation.RESIDENCY)
  @Size(max = 32)
  @JsonPropertyDescription(
      "Data-residency zone of the region (e.g. eu, in). Keys only fail over or move to regions of a"
          + " compatible residency.")
  private String residency;

  @Size(max = 16)
  @JsonPropertyDescription(
      "Residency zones, besides its own, whose keys this region may serve during a failover or"
          + " hold after a move. Empty: only keys of its own residency.")
  private List<@Pattern(Validation.RESIDENCY) @Size(max = 32) String> acceptsResidency =
      new ArrayList<>();

  @Required
  @JsonPropertyDescription("Endpoints of the region's front-door.")
  private FrontDoorEndpoints frontDoor;

  @Required
  @JsonPropertyDescription("The region's Redis (exactly one of url or secretRef).")
  private RedisEndpoint redis;

  @Size(max = 16)
  @JsonPropertyDescription(
      "Regions that may serve this region's keys when it fails, in order of preference. Each must be"
          + " another region of this topology.")
  private List<@Pattern(Validation.REGION_NAME) @Size(max = 32) String> failoverPeers =
      new ArrayList<>();

  @Default("100")
  @Min(0)
  @Max(10000)
  @JsonPropertyDescription(
      "Relative capacity of the region; a peer takes over a failed region only with headroom by this"
          + " weight, and weighted placement uses it when it lays buckets out at the first reconcile"
          + " (changing it later moves no bucket). 0 means the region never takes extra load.")
  private Integer capacityWeight;

  @Default("Active")
  @JsonPropertyDescription(
      "Requested state: Active, or Draining before removal. The operator sets every other phase in"
          + " status.")
  private RegionState state;

  @Pattern(Validation.HTTP_URL)
  @Size(max = 2048)
  @JsonPropertyDescription(
      "URL of the application's replication-position endpoint in this region. Re-homing a key away"
          + " from this region waits, while draining, until the new home has applied this region's"
          + " writes up to the fence; a failback to this region waits until it has applied the"
          + " writes its peer took for it. Without it neither waits for replication, which is"
          + " correct only when the application's data is shared or replicated synchronously.")
  private String replicationProbe;

  public RegionSpec() {}

  public String getReplicationProbe() {
    return replicationProbe;
  }

  public void setReplicationProbe(String replicationProbe) {
    this.replicationProbe = replicationProbe;
  }

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  public String getResidency() {
    return residency;
  }

  public void setResidency(String residency) {
    this.residency = residency;
  }

  public List<String> getAcceptsResidency() {
    return acceptsResidency;
  }

  public void setAcceptsResidency(List<String> acceptsResidency) {
    this.acceptsResidency = acceptsResidency;
  }

  public FrontDoorEndpoints getFrontDoor() {
    return frontDoor;
  }

  public void setFrontDoor(FrontDoorEndpoints frontDoor) {
    this.frontDoor = frontDoor;
  }

  public RedisEndpoint getRedis() {
    return redis;
  }

  public void setRedis(RedisEndpoint redis) {
    this.redis = redis;
  }

  public List<String> getFailoverPeers() {
    return failoverPeers;
  }

  public void setFailoverPeers(List<String> failoverPeers) {
    this.failoverPeers = failoverPeers;
  }

  public Integer getCapacityWeight() {
    return capacityWeight;
  }

  public void setCapacityWeight(Integer capacityWeight) {
    this.capacityWeight = capacityWeight;
  }

  public RegionState getState() {
    return state;
  }

  public void setState(RegionState state) {
    this.state = state;
  }
}
