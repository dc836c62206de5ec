package dev.homeport.operator.topology;

import dev.homeport.crds.v1alpha1.spec.RegionSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Which regions the operator routes, leases and probes, against what {@code spec.regions} asks for.
 * Pure.
 *
 * <p>The accepted regions ({@code status.acceptedRegions}) are the ones in the routing table. A
 * region in spec.regions but not accepted is <em>joining</em>: it is accepted once its Redis holds
 * the directory. An accepted region no longer in spec.regions is <em>leaving</em>: it is dropped
 * only once it homes nothing, and until then it is routed with the spec it had when it was last in
 * spec.regions. A region in both takes its current spec, so edits to a region (its Redis URL, its
 * peers) apply at once.
 *
 * @param accepted the regions to route: those of spec.regions that are accepted, in spec order,
 *     then the leaving ones, in the order they were accepted
 * @param joining regions of spec.regions not accepted yet, in spec order
 * @param leaving accepted regions that spec.regions no longer lists, with their last spec
 */
public record Membership(
    List<RegionSpec> accepted, List<RegionSpec> joining, List<RegionSpec> leaving) {

  public Membership {
    accepted = List.copyOf(accepted);
    joining = List.copyOf(joining);
    leaving = List.copyOf(leaving);
  }

  /**
   * @param spec {@code spec.regions}
   * @param accepted the regions last accepted; null when none were recorded yet (a topology's first
   *     reconcile, or a status written before regions were recorded): then every region of
   *     spec.regions is accepted as it is, as before
   */
  public static Membership of(List<RegionSpec> spec, List<RegionSpec> accepted) {
    Objects.requireNonNull(spec, "spec.regions");
    if (accepted == null) {
      return new Membership(spec, List.of(), List.of());
    }
    Map<String, RegionSpec> known = new LinkedHashMap<>();
    accepted.forEach(region -> known.put(region.getName(), region));
    List<RegionSpec> routed = new ArrayList<>();
    List<RegionSpec> joining = new ArrayList<>();
    Set<String> listed = new java.util.HashSet<>();
    for (RegionSpec region : spec) {
      listed.add(region.getName());
      (known.containsKey(region.getName()) ? routed : joining).add(region);
    }
    List<RegionSpec> leaving = new ArrayList<>();
    for (RegionSpec region : known.values()) {
      if (!listed.contains(region.getName())) {
        leaving.add(region);
      }
    }
    routed.addAll(leaving);
    return new Membership(routed, joining, leaving);
  }

  /** This membership with {@code region} (a joining one) accepted, at its place in spec order. */
  public Membership admit(String region, List<RegionSpec> spec) {
    RegionSpec joined =
        joining.stream()
            .filter(r -> r.getName().equals(region))
            .findFirst()
            .orElseThrow(() -> new IllegalArgumentException(region + " is not joining"));
    List<RegionSpec> nowAccepted = new ArrayList<>();
    for (RegionSpec listed : spec) {
      if (listed.getName().equals(region) || names(accepted).contains(listed.getName())) {
        nowAccepted.add(listed.getName().equals(region) ? joined : find(accepted, listed));
      }
    }
    nowAccepted.addAll(leaving);
    List<RegionSpec> stillJoining = new ArrayList<>(joining);
    stillJoining.remove(joined);
    return new Membership(nowAccepted, stillJoining, leaving);
  }

  /** This membership without {@code region} (a leaving one): it is routed no more. */
  public Membership release(String region) {
    List<RegionSpec> nowAccepted = new ArrayList<>(accepted);
    nowAccepted.removeIf(r -> r.getName().equals(region));
    List<RegionSpec> stillLeaving = new ArrayList<>(leaving);
    if (!stillLeaving.removeIf(r -> r.getName().equals(region))) {
      throw new IllegalArgumentException(region + " is not leaving");
    }
    return new Membership(nowAccepted, joining, stillLeaving);
  }

  /** Whether {@code region} is accepted and no longer in spec.regions. */
  public boolean isLeaving(String region) {
    return names(leaving).contains(region);
  }

  /** The accepted regions' names, in order. */
  public List<String> acceptedNames() {
    return names(accepted);
  }

  /**
   * The spec.regions index of an accepted or joining region, else its status.acceptedRegions one.
   */
  public String field(String region, List<RegionSpec> spec) {
    for (int i = 0; i < spec.size(); i++) {
      if (spec.get(i).getName().equals(region)) {
        return "spec.regions[" + i + "]";
      }
    }
    List<String> names = names(accepted);
    return "status.acceptedRegions[" + names.indexOf(region) + "]";
  }

  private static RegionSpec find(List<RegionSpec> regions, RegionSpec like) {
    return regions.stream()
        .filter(r -> r.getName().equals(like.getName()))
        .findFirst()
        .orElse(like);
  }

  private static List<String> names(List<RegionSpec> regions) {
    return regions.stream().map(RegionSpec::getName).toList();
  }
}
