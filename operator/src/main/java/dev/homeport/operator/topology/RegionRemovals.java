package dev.homeport.operator.topology;

import dev.homeport.contract.DirectoryEntry;
import dev.homeport.crds.v1alpha1.spec.RegionSpec;
import dev.homeport.crds.v1alpha1.status.BucketLayout;
import dev.homeport.operator.failover.DrillState;
import dev.homeport.operator.failover.RegionState;
import dev.homeport.operator.failover.TopologyState;
import dev.homeport.operator.routing.BucketLayouts;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Whether a region removed from {@code spec.regions} may leave the routing table. Pure.
 *
 * <p>A region may leave only once it is the effective home of nothing: every bucket the layout
 * gives it has been moved away by a bucket entry, no key's directory entry names it (fenced or
 * not), no failed-over region is served by it or about to be, and no drill or moving HomeAssignment
 * involves it. A CEL rule cannot see the regions' Redis, so this check is the operator's; until it
 * passes, the region is routed, leased and probed with its last spec.
 */
public final class RegionRemovals {

  /** Keys named in a message before "…". */
  static final int SAMPLE_KEYS = 3;

  /** Reason of the RegionsValid condition and the Event while the region still homes keys. */
  public static final String STILL_HOMES_KEYS = "RegionStillHomesKeys";

  /** Reason while the region homes nothing but a failover, drill or move still involves it. */
  public static final String STILL_IN_USE = "RegionStillInUse";

  private RegionRemovals() {}

  /** A HomeAssignment that is moving keys: {@code namespace/name} and its target region. */
  public record Move(String ref, String toRegion) {}

  /**
   * What the operator knows when it checks a departing region.
   *
   * @param region the region removed from spec.regions
   * @param layout the topology's bucket layout
   * @param bucketEntries every bucket entry, the latest of all regions
   * @param keyEntries every key's directory entry, the latest of all regions
   * @param state the failover machine's state (servedBy, failover targets, the running drill)
   * @param moving HomeAssignments in a moving phase
   * @param staying the regions that stay (spec.regions, accepted), in order: where to suggest
   *     moving keys to
   * @param spec the departing region's last spec (its residency and failover peers)
   */
  public record Facts(
      String region,
      BucketLayout layout,
      Map<Integer, DirectoryEntry> bucketEntries,
      Map<String, DirectoryEntry> keyEntries,
      TopologyState state,
      List<Move> moving,
      List<RegionSpec> staying,
      RegionSpec spec) {}

  /**
   * The outcome of one check.
   *
   * @param clear whether the region may leave now
   * @param reason {@link #STILL_HOMES_KEYS} or {@link #STILL_IN_USE} when it may not; null when
   *     clear
   * @param message for the condition, Event and log: the region, what it still homes or what still
   *     uses it, and what to do; null when clear
   * @param buckets the bucket ranges it still homes
   * @param keys how many keys' directory entries name it
   */
  public record Verdict(
      boolean clear, String reason, String message, List<String> buckets, int keys) {}

  public static Verdict check(Facts facts) {
    String region = facts.region();
    List<String> buckets =
        BucketLayouts.rangesHomedBy(region, facts.layout(), facts.bucketEntries());
    TreeSet<String> keys = new TreeSet<>();
    facts
        .keyEntries()
        .forEach(
            (key, entry) -> {
              if (entry != null && region.equals(entry.home())) {
                keys.add(key);
              }
            });
    List<String> uses = uses(facts);
    if (buckets.isEmpty() && keys.isEmpty() && uses.isEmpty()) {
      return new Verdict(true, null, null, List.of(), 0);
    }
    String target = suggestedTarget(facts);
    List<String> homes = new ArrayList<>();
    List<String> fixes = new ArrayList<>();
    if (!buckets.isEmpty()) {
      int count = BucketLayouts.homedBuckets(facts.layout(), facts.bucketEntries()).get(region);
      homes.add(
          "buckets "
              + String.join(",", buckets)
              + " ("
              + count
              + (count == 1 ? " bucket)" : " buckets)"));
      fixes.add(
          "kubectl homeport rehome --buckets " + String.join(",", buckets) + " --to " + target);
    }
    if (!keys.isEmpty()) {
      List<String> sample = keys.stream().limit(SAMPLE_KEYS).toList();
      String listed = String.join(",", sample) + (keys.size() > sample.size() ? ",…" : "");
      homes.add(
          keys.size()
              + (keys.size() == 1 ? " key" : " keys")
              + " with a directory entry of its own (e.g. "
              + String.join(", ", sample)
              + ")");
      fixes.add("kubectl homeport rehome --keys " + listed + " --to " + target);
    }
    StringBuilder message = new StringBuilder("region ").append(region);
    message.append(" was removed from spec.regions but ");
    if (!homes.isEmpty()) {
      message.append("still homes ").append(String.join(" and ", homes));
      if (!uses.isEmpty()) {
        message.append(", and ");
      }
    }
    if (!uses.isEmpty()) {
      message.append(String.join("; ", uses));
    }
    message.append(", so it stays in the routing table, leased and probed, with its last spec. ");
    if (!fixes.isEmpty()) {
      message.append("Move them first: ").append(String.join("; ", fixes)).append(". ");
    }
    message.append(
        "The operator completes the removal once the region homes nothing; to keep the region,"
            + " put it back in spec.regions.");
    return new Verdict(
        false,
        homes.isEmpty() ? STILL_IN_USE : STILL_HOMES_KEYS,
        message.toString(),
        buckets,
        keys.size());
  }

  /** What, besides homes, still needs the region. */
  private static List<String> uses(Facts facts) {
    String region = facts.region();
    List<String> uses = new ArrayList<>();
    for (RegionState other : facts.state().regions().values()) {
      if (other.name().equals(region)) {
        continue;
      }
      if (region.equals(other.servedBy())) {
        uses.add(
            "it serves the keys of failed-over region "
                + other.name()
                + " (wait for its failback: kubectl homeport failback "
                + other.name()
                + " --approve)");
      } else if (region.equals(other.failoverTarget())) {
        uses.add(
            "region "
                + other.name()
                + " is "
                + other.phase()
                + " with it as failover target (wait until "
                + other.name()
                + " is Active again)");
      }
    }
    DrillState drill = facts.state().drill();
    if (drill != null && (region.equals(drill.region()) || region.equals(drill.peer()))) {
      uses.add(
          "drill "
              + drill.id()
              + " of region "
              + drill.region()
              + " is running with it as "
              + (region.equals(drill.region()) ? "the drilled region" : "the peer")
              + " (wait for it to end, or: kubectl homeport drill abort)");
    }
    for (Move move : facts.moving()) {
      if (region.equals(move.toRegion())) {
        uses.add(
            "HomeAssignment "
                + move.ref()
                + " is moving keys to it (wait for it to finish, or delete it)");
      }
    }
    return uses;
  }

  /**
   * Where to suggest moving the region's keys: its first failover peer that stays, else the first
   * staying region of its residency or accepting it, else the first staying region.
   */
  static String suggestedTarget(Facts facts) {
    List<String> staying = facts.staying().stream().map(RegionSpec::getName).toList();
    RegionSpec spec = facts.spec();
    if (spec != null && spec.getFailoverPeers() != null) {
      for (String peer : spec.getFailoverPeers()) {
        if (staying.contains(peer)) {
          return peer;
        }
      }
    }
    String residency = spec == null ? null : spec.getResidency();
    for (RegionSpec other : facts.staying()) {
      if (residency != null
          && (residency.equals(other.getResidency())
              || (other.getAcceptsResidency() != null
                  && other.getAcceptsResidency().contains(residency)))) {
        return other.getName();
      }
    }
    return staying.isEmpty() ? "<region>" : staying.get(0);
  }
}
