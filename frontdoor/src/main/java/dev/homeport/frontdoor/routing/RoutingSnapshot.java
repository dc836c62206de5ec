package dev.homeport.frontdoor.routing;

import dev.homeport.contract.BucketAssignment;
import dev.homeport.contract.KeyHash;
import dev.homeport.contract.RegionRoute;
import dev.homeport.contract.RoutingTable;
import java.util.Arrays;
import java.util.Map;

/**
 * A routing table made ready for the hot path: every bucket's home looked up in an array. Built
 * once per epoch; immutable.
 */
public final class RoutingSnapshot {

  private final RoutingTable table;
  private final String[] homes;

  private RoutingSnapshot(RoutingTable table, String[] homes) {
    this.table = table;
    this.homes = homes;
  }

  /**
   * Compiles a routing table, refusing one a front-door must not route by.
   *
   * @throws IllegalArgumentException naming the problem: buckets not covered, overlapping ranges,
   *     or a bucket or servedBy naming a region the table does not list
   */
  public static RoutingSnapshot of(RoutingTable table) {
    if (table.buckets() < 1) {
      throw new IllegalArgumentException(
          "routing table epoch " + table.epoch() + " has " + table.buckets() + " buckets");
    }
    Map<String, RegionRoute> regions = table.regions() == null ? Map.of() : table.regions();
    String[] homes = new String[table.buckets()];
    for (BucketAssignment range : table.bucketMap()) {
      if (!regions.containsKey(range.region())) {
        throw new IllegalArgumentException(
            "routing table epoch "
                + table.epoch()
                + " homes buckets "
                + range.from()
                + "-"
                + range.to()
                + " in unknown region "
                + range.region());
      }
      if (range.from() < 0 || range.to() >= homes.length || range.from() > range.to()) {
        throw new IllegalArgumentException(
            "routing table epoch "
                + table.epoch()
                + " has bucket range "
                + range.from()
                + "-"
                + range.to()
                + " outside 0-"
                + (homes.length - 1));
      }
      for (int bucket = range.from(); bucket <= range.to(); bucket++) {
        if (homes[bucket] != null) {
          throw new IllegalArgumentException(
              "routing table epoch " + table.epoch() + " homes bucket " + bucket + " twice");
        }
        homes[bucket] = range.region();
      }
    }
    int missing = Arrays.asList(homes).indexOf(null);
    if (missing >= 0) {
      throw new IllegalArgumentException(
          "routing table epoch " + table.epoch() + " leaves bucket " + missing + " without a home");
    }
    for (Map.Entry<String, RegionRoute> region : regions.entrySet()) {
      String servedBy = region.getValue().servedBy();
      if (servedBy != null && !regions.containsKey(servedBy)) {
        throw new IllegalArgumentException(
            "routing table epoch "
                + table.epoch()
                + " has region "
                + region.getKey()
                + " served by unknown region "
                + servedBy);
      }
    }
    return new RoutingSnapshot(table, homes);
  }

  public long epoch() {
    return table.epoch();
  }

  public RoutingTable table() {
    return table;
  }

  /** The home region of a key by its bucket (directory overrides are applied by the caller). */
  public String bucketHome(String key) {
    return homes[KeyHash.bucket(key, homes.length)];
  }

  /** The route of a region; null when the table does not list it. */
  public RegionRoute region(String name) {
    return table.regions().get(name);
  }
}
