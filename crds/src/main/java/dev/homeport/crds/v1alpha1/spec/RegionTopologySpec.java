package dev.homeport.crds.v1alpha1.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.ArrayList;
import java.util.List;

/** The regions of an active-active estate and how the operator fails them over. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "!has(self.drill) || self.regions.exists(r, r.name == self.drill.region)",
    messageExpression =
        "'drill.region ' + self.drill.region + ' is not a region of spec.regions; name one of them'",
    fieldPath = ".drill.region")
@ValidationRule(
    value =
        "!has(self.failover) || !has(self.failover.minActiveRegions) ||"
            + " self.failover.minActiveRegions <= size(self.regions)",
    message =
        "failover.minActiveRegions exceeds the number of regions in spec.regions; lower it or"
            + " add regions",
    fieldPath = ".failover.minActiveRegions")
// Checked on creation only: the ranges seed status.bucketLayout once, and a region they name may
// later leave spec.regions once its buckets have moved (the operator checks that, not CEL).
@ValidationRule(
    value =
        "oldSelf.hasValue() || !has(self.placement) || !has(self.placement.ranges) ||"
            + " self.placement.ranges.all(b, self.regions.exists(r, r.name == b.region))",
    message = "placement.ranges names a region that is not in spec.regions; add it or fix the name",
    fieldPath = ".placement.ranges",
    optionalOldSelf = true)
public class RegionTopologySpec {

  @Required
  @Size(min = 1, max = 32)
  @ValidationRule(
      value = "self.all(r, self.exists_one(o, o.name == r.name))",
      message =
          "region names must be unique: two entries share a name; rename or remove the"
              + " duplicate")
  @ValidationRule(
      value =
          "self.all(r, !has(r.failoverPeers) || r.failoverPeers.all(p, self.exists(o, o.name =="
              + " p)))",
      message =
          "every failoverPeers entry must name a region in spec.regions; add that region or"
              + " remove it from failoverPeers")
  @ValidationRule(
      value =
          "self.all(r, !has(r.failoverPeers) || r.failoverPeers.all(p, self.all(o, o.name != p ||"
              + " o.residency == r.residency || (has(o.acceptsResidency) && r.residency in"
              + " o.acceptsResidency))))",
      message =
          "a failoverPeers entry names a peer whose residency does not accept the region's keys;"
              + " add the region's residency to acceptsResidency of that peer or choose another"
              + " peer")
  @JsonPropertyDescription(
      "The regions, each with its front-door, Redis and failover peers. A region appended here"
          + " joins homing no bucket; a region removed from here leaves only once it homes nothing"
          + " (move its buckets and keys away first).")
  private List<RegionSpec> regions = new ArrayList<>();

  @Default("{}")
  @JsonPropertyDescription(
      "How keys are first spread over regions: it seeds status.bucketLayout once and is immutable.")
  private Placement placement;

  @Default("{}")
  @JsonPropertyDescription("Failure detection, leases, failover safety rules and failback.")
  private FailoverPolicy failover;

  @JsonPropertyDescription(
      "A planned failover drill. Setting it with a new id starts the drill; the operator records"
          + " the outcome in status.drills. A drill whose id already has a finished record is not"
          + " run again. Abort it with the annotation homeport.dev/abort-drill: <id>.")
  private DrillSpec drill;

  @Default("{}")
  @JsonPropertyDescription(
      "Guard rails of drills: blocked windows, abort thresholds and the synthetic requests that"
          + " verify them.")
  private DrillPolicy drillPolicy;

  public RegionTopologySpec() {}

  public List<RegionSpec> getRegions() {
    return regions;
  }

  public void setRegions(List<RegionSpec> regions) {
    this.regions = regions;
  }

  public Placement getPlacement() {
    return placement;
  }

  public void setPlacement(Placement placement) {
    this.placement = placement;
  }

  public FailoverPolicy getFailover() {
    return failover;
  }

  public void setFailover(FailoverPolicy failover) {
    this.failover = failover;
  }

  public DrillSpec getDrill() {
    return drill;
  }

  public void setDrill(DrillSpec drill) {
    this.drill = drill;
  }

  public DrillPolicy getDrillPolicy() {
    return drillPolicy;
  }

  public void setDrillPolicy(DrillPolicy drillPolicy) {
    this.drillPolicy = drillPolicy;
  }
}
