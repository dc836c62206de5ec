package dev.homeport.operator.drill;

import dev.homeport.contract.BucketAssignment;
import dev.homeport.contract.DirectoryEntry;
import dev.homeport.contract.KeyHash;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Picks the routing keys a drill's synthetic requests use: keys homed in the drilled region by the
 * published bucket map (and by the bucket entries of moves, which override it), named after the
 * drill so that they are recognisable in logs and never collide with real users. Pure.
 */
public final class SyntheticKeys {

  /** Candidates tried per bucket of the topology before giving up on finding enough keys. */
  private static final int TRIES_PER_BUCKET = 64;

  private SyntheticKeys() {}

  /**
   * Up to {@code count} keys {@code homeport-drill-<id>-<n>} whose bucket is homed in {@code
   * region}; fewer only when the region holds (almost) no buckets.
   *
   * @param bucketMap the routing table's bucket map
   * @param movedBuckets bucket entries written by moves; an entry overrides the map
   * @param skip keys not to return (e.g. keys a directory entry homes elsewhere)
   */
  public static List<String> homedIn(
      String region,
      List<BucketAssignment> bucketMap,
      int buckets,
      Map<Integer, DirectoryEntry> movedBuckets,
      String drillId,
      int count,
      Set<String> skip) {
    boolean[] homed = new boolean[buckets];
    boolean any = false;
    for (BucketAssignment range : bucketMap) {
      for (int b = Math.max(0, range.from()); b <= Math.min(buckets - 1, range.to()); b++) {
        homed[b] = range.region().equals(region);
      }
    }
    for (Map.Entry<Integer, DirectoryEntry> moved : movedBuckets.entrySet()) {
      int b = moved.getKey();
      if (b >= 0 && b < buckets) {
        homed[b] = moved.getValue().home().equals(region) && !moved.getValue().fenced();
      }
    }
    for (boolean h : homed) {
      any |= h;
    }
    List<String> keys = new ArrayList<>();
    if (!any) {
      return keys;
    }
    String prefix = "homeport-drill-" + drillId.toLowerCase(java.util.Locale.ROOT) + "-";
    long tries = (long) TRIES_PER_BUCKET * buckets + (long) count * TRIES_PER_BUCKET;
    for (long n = 0; n < tries && keys.size() < count; n++) {
      String key = prefix + n;
      if (homed[KeyHash.bucket(key, buckets)] && !skip.contains(key)) {
        keys.add(key);
      }
    }
    return keys;
  }
}
