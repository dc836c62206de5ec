package dev.homeport.operator.routing;

import dev.homeport.contract.BucketAssignment;
import dev.homeport.contract.DirectoryEntry;
import dev.homeport.contract.RoutingTable;
import dev.homeport.crds.v1alpha1.spec.Placement;
import dev.homeport.crds.v1alpha1.spec.RegionSpec;
import dev.homeport.crds.v1alpha1.status.BucketLayout;
import dev.homeport.crds.v1alpha1.status.LayoutRange;
import dev.homeport.crds.v1alpha1.status.LayoutSource;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * The one place a topology's bucket layout ({@code status.bucketLayout}) is made, read and changed.
 * Pure.
 *
 * <p>The layout is the routing table's bucket map. It is fixed once, when the topology is first
 * reconciled: from {@code spec.placement} over the regions as they are then, or, when the status
 * has lost it but the regions are already routed, from the bucket map of the routing table with the
 * highest epoch in their Redis. Nothing recomputes it afterwards, so adding, removing or reordering
 * regions or changing a capacityWeight moves no key; HomeAssignments move buckets by bucket entries
 * layered over it. The one change ever made is {@link #repoint}: a departing region's ranges go to
 * where its bucket entries already send them, which changes no bucket's effective home.
 */
public final class BucketLayouts {

  private BucketLayouts() {}

  /**
   * The layout to route by.
   *
   * @param layout the layout; null when none could be fixed yet
   * @param message what was just decided (fixed, adopted), or why there is no layout yet; null when
   *     the recorded layout stands
   */
  public record Decision(BucketLayout layout, String message) {

    /** Whether there is a layout; otherwise {@link #message} says what is awaited. */
    public boolean fixed() {
      return layout != null;
    }

    /** Whether the layout was fixed just now (an Event and a log line are due). */
    public boolean isNew() {
      return layout != null && message != null;
    }
  }

  /**
   * The layout to route by: the recorded one whenever there is one, whatever spec.regions says now
   * (regions added, removed or reordered, capacityWeight changed); else a layout fixed now.
   *
   * <p>Without a recorded layout, the regions may already be routed (the status was lost, the
   * object restored from a backup, or written by an operator that kept no layout): then the bucket
   * map of the table with the highest epoch in their Redis is adopted, since it is what their
   * front-doors route by. A table that does not cover every bucket once is passed over: front-doors
   * refuse it too. Only when no region holds a usable table is the layout computed from the
   * placement. While a region has not answered it may hold a table, so a topology that has been
   * reconciled before waits for it; one never reconciled (no status) does not, as it is almost
   * always new, and one unreachable region must not keep the others from being routed.
   *
   * @param recorded {@code status.bucketLayout}; null when the status records none
   * @param reconciled whether the topology has a status, i.e. was reconciled before
   * @param regions the regions routed now, in order
   * @param tables read only without a recorded layout: what each region's Redis answered when asked
   *     for its routing table, a table or empty when it holds none; a region whose Redis did not
   *     answer is absent
   * @param epoch the operator's routing epoch now
   * @return the recorded layout, else an adopted or computed one, else no layout and a message
   *     naming the regions awaited
   * @throws IllegalArgumentException naming the field or table when the placement cannot be laid
   *     out or the table to adopt has another number of buckets than {@code spec.placement}
   */
  public static Decision decide(
      BucketLayout recorded,
      boolean reconciled,
      Placement placement,
      List<RegionSpec> regions,
      Supplier<Map<String, Optional<RoutingTable>>> tables,
      long epoch,
      Instant now) {
    if (recorded != null) {
      return new Decision(recorded, null);
    }
    return fix(reconciled, placement, regions, tables.get(), epoch, now);
  }

  private static Decision fix(
      boolean reconciled,
      Placement placement,
      List<RegionSpec> regions,
      Map<String, Optional<RoutingTable>> tables,
      long epoch,
      Instant now) {
    List<Map.Entry<String, RoutingTable>> held = new ArrayList<>();
    for (Map.Entry<String, Optional<RoutingTable>> answer : new TreeMap<>(tables).entrySet()) {
      answer.getValue().ifPresent(table -> held.add(Map.entry(answer.getKey(), table)));
    }
    held.sort((a, b) -> Long.compare(b.getValue().epoch(), a.getValue().epoch()));
    List<String> passedOver = new ArrayList<>();
    for (Map.Entry<String, RoutingTable> candidate : held) {
      RoutingTable table = candidate.getValue();
      BucketLayout layout;
      try {
        layout = fromTable(table, candidate.getKey(), placement.getBuckets(), now);
      } catch (UnusableTable e) {
        passedOver.add(e.getMessage());
        continue;
      }
      return new Decision(
          layout,
          "adopted the bucket map of routing table epoch "
              + table.epoch()
              + " found in the Redis of region "
              + candidate.getKey()
              + " (the status recorded no bucket layout): "
              + describe(layout)
              + passedOver(passedOver));
    }
    List<String> silent = new ArrayList<>();
    for (RegionSpec region : regions) {
      if (!tables.containsKey(region.getName())) {
        silent.add(region.getName());
      }
    }
    if (!silent.isEmpty() && reconciled) {
      return new Decision(
          null,
          "waiting for the Redis of "
              + String.join(", ", silent)
              + " to answer before fixing the bucket layout: no region that answered holds a"
              + " usable routing table, and one of these may"
              + passedOver(passedOver));
    }
    BucketLayout layout = fromPlacement(placement, regions, epoch, now);
    return new Decision(
        layout,
        "fixed the bucket layout from spec.placement over spec.regions: "
            + describe(layout)
            + (silent.isEmpty()
                ? ""
                : " (the Redis of " + String.join(", ", silent) + " did not answer)")
            + passedOver(passedOver));
  }

  private static String passedOver(List<String> tables) {
    return tables.isEmpty() ? "" : "; passed over: " + String.join("; ", tables);
  }

  /** A table whose bucket map front-doors refuse as well; the next one is tried. */
  private static final class UnusableTable extends IllegalArgumentException {
    UnusableTable(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** The layout {@code placement} gives {@code regions}, fixed now. */
  public static BucketLayout fromPlacement(
      Placement placement, List<RegionSpec> regions, long epoch, Instant now) {
    BucketLayout layout =
        of(placement.getBuckets(), BucketPlacement.of(placement, regions), LayoutSource.Placement);
    layout.setFixedAt(now.toString());
    layout.setFixedAtEpoch(epoch);
    return layout;
  }

  /**
   * The layout of a published routing table.
   *
   * @throws IllegalArgumentException when its bucket map does not cover exactly {@code buckets}
   *     buckets
   */
  public static BucketLayout fromTable(
      RoutingTable table, String region, int buckets, Instant now) {
    String where = "routing table epoch " + table.epoch() + " in the Redis of region " + region;
    if (table.buckets() != buckets) {
      throw new IllegalArgumentException(
          where
              + " has "
              + table.buckets()
              + " buckets, but spec.placement.buckets is "
              + buckets
              + "; is spec.regions[].redis pointing at another topology's Redis?");
    }
    BucketLayout layout =
        of(
            buckets,
            table.bucketMap() == null ? List.of() : table.bucketMap(),
            LayoutSource.RoutingTable);
    try {
      homes(layout);
    } catch (IllegalArgumentException e) {
      throw new UnusableTable(where + ": " + e.getMessage(), e);
    }
    layout.setFixedAt(now.toString());
    layout.setFixedAtEpoch(table.epoch());
    return layout;
  }

  /**
   * The routing table's bucket map: the layout's ranges, in bucket order.
   *
   * @throws IllegalArgumentException when the ranges do not cover every bucket exactly once
   */
  public static List<BucketAssignment> bucketMap(BucketLayout layout) {
    homes(layout);
    List<BucketAssignment> map = new ArrayList<>();
    for (LayoutRange range : layout.getRanges()) {
      BucketSpan span = BucketSpan.parse(range.getBuckets());
      map.add(new BucketAssignment(span.from(), span.to(), range.getRegion()));
    }
    map.sort(java.util.Comparator.comparingInt(BucketAssignment::from));
    return map;
  }

  /**
   * Every bucket's region by the layout alone.
   *
   * @throws IllegalArgumentException naming the bucket when the ranges leave one without a region
   *     or give it two
   */
  public static String[] homes(BucketLayout layout) {
    if (layout.getBuckets() == null || layout.getBuckets() < 1) {
      throw new IllegalArgumentException("bucket layout has no buckets");
    }
    String[] homes = new String[layout.getBuckets()];
    for (LayoutRange range : layout.getRanges()) {
      BucketSpan span = BucketSpan.parse(range.getBuckets());
      if (span.from() < 0 || span.to() >= homes.length || span.from() > span.to()) {
        throw new IllegalArgumentException(
            "bucket layout range "
                + range.getBuckets()
                + " is outside 0-"
                + (homes.length - 1)
                + " or ends before it starts");
      }
      for (int b = span.from(); b <= span.to(); b++) {
        if (homes[b] != null) {
          throw new IllegalArgumentException(
              "bucket layout homes bucket "
                  + b
                  + " twice ("
                  + homes[b]
                  + ", "
                  + range.getRegion()
                  + ")");
        }
        homes[b] = range.getRegion();
      }
    }
    for (int b = 0; b < homes.length; b++) {
      if (homes[b] == null) {
        throw new IllegalArgumentException(
            "bucket layout leaves bucket " + b + " without a region");
      }
    }
    return homes;
  }

  /** The regions the layout homes at least one bucket in, in bucket order. */
  public static Set<String> regions(BucketLayout layout) {
    Set<String> regions = new LinkedHashSet<>();
    for (BucketAssignment range : bucketMap(layout)) {
      regions.add(range.region());
    }
    return regions;
  }

  /**
   * Every bucket's effective home: its bucket entry's home where a move wrote one (fenced or not: a
   * fenced bucket still belongs to its old home), else the layout's region.
   */
  public static String[] effectiveHomes(BucketLayout layout, Map<Integer, DirectoryEntry> entries) {
    String[] homes = homes(layout);
    entries.forEach(
        (bucket, entry) -> {
          if (bucket >= 0 && bucket < homes.length && entry != null) {
            homes[bucket] = entry.home();
          }
        });
    return homes;
  }

  /** How many buckets each region effectively homes; regions homing none are absent. */
  public static Map<String, Integer> homedBuckets(
      BucketLayout layout, Map<Integer, DirectoryEntry> entries) {
    Map<String, Integer> counts = new TreeMap<>();
    for (String home : effectiveHomes(layout, entries)) {
      counts.merge(home, 1, Integer::sum);
    }
    return counts;
  }

  /** The buckets {@code region} effectively homes, as ranges ({@code 0-1364}, {@code 2048}). */
  public static List<String> rangesHomedBy(
      String region, BucketLayout layout, Map<Integer, DirectoryEntry> entries) {
    String[] homes = effectiveHomes(layout, entries);
    List<Integer> buckets = new ArrayList<>();
    for (int b = 0; b < homes.length; b++) {
      if (region.equals(homes[b])) {
        buckets.add(b);
      }
    }
    return spans(buckets);
  }

  /**
   * The layout with {@code leaving}'s ranges re-pointed to where their bucket entries send them, so
   * that the routing table no longer names the region; no bucket's effective home changes.
   *
   * @throws IllegalArgumentException naming the buckets when one of {@code leaving}'s buckets has
   *     no entry, a fenced one, or one that still homes it there: the region still homes it
   */
  public static BucketLayout repoint(
      BucketLayout layout,
      String leaving,
      Map<Integer, DirectoryEntry> entries,
      long epoch,
      Instant now) {
    String[] homes = homes(layout);
    List<Integer> stuck = new ArrayList<>();
    List<Integer> moved = new ArrayList<>();
    for (int b = 0; b < homes.length; b++) {
      if (!leaving.equals(homes[b])) {
        continue;
      }
      DirectoryEntry entry = entries.get(b);
      if (entry == null || entry.fenced() || leaving.equals(entry.home())) {
        stuck.add(b);
      } else {
        homes[b] = entry.home();
        moved.add(b);
      }
    }
    if (!stuck.isEmpty()) {
      throw new IllegalArgumentException(
          "region "
              + leaving
              + " still homes buckets "
              + String.join(",", spans(stuck))
              + " of the bucket layout: no bucket entry has moved them away");
    }
    BucketLayout changed = of(layout.getBuckets(), ranges(homes), layout.getSource());
    changed.setFixedAt(layout.getFixedAt());
    changed.setFixedAtEpoch(layout.getFixedAtEpoch());
    changed.setLastChange(
        moved.isEmpty()
            ? layout.getLastChange()
            : "at routing epoch "
                + epoch
                + " ("
                + now
                + "), region "
                + leaving
                + " left and its buckets "
                + String.join(",", spans(moved))
                + " were re-pointed to where their bucket entries already sent them");
    return changed;
  }

  /** One line naming each range and its region, for logs and Events. */
  public static String describe(BucketLayout layout) {
    List<String> parts = new ArrayList<>();
    for (BucketAssignment range : bucketMap(layout)) {
      parts.add(span(range.from(), range.to()) + " " + range.region());
    }
    return layout.getBuckets() + " buckets: " + String.join(", ", parts);
  }

  /** Sorted bucket numbers as the fewest ranges: {@code [0,1,2,7]} → {@code 0-2, 7}. */
  public static List<String> spans(Collection<Integer> sortedBuckets) {
    List<String> spans = new ArrayList<>();
    int from = -1;
    int to = -1;
    for (int bucket : sortedBuckets) {
      if (from >= 0 && bucket == to + 1) {
        to = bucket;
        continue;
      }
      if (from >= 0) {
        spans.add(span(from, to));
      }
      from = bucket;
      to = bucket;
    }
    if (from >= 0) {
      spans.add(span(from, to));
    }
    return spans;
  }

  private static String span(int from, int to) {
    return from == to ? Integer.toString(from) : from + "-" + to;
  }

  private static List<BucketAssignment> ranges(String[] homes) {
    List<BucketAssignment> ranges = new ArrayList<>();
    int from = 0;
    for (int b = 1; b <= homes.length; b++) {
      if (b == homes.length || !homes[b].equals(homes[from])) {
        ranges.add(new BucketAssignment(from, b - 1, homes[from]));
        from = b;
      }
    }
    return ranges;
  }

  private static BucketLayout of(int buckets, List<BucketAssignment> map, LayoutSource source) {
    BucketLayout layout = new BucketLayout();
    layout.setBuckets(buckets);
    List<LayoutRange> ranges = new ArrayList<>();
    for (BucketAssignment range : map) {
      ranges.add(new LayoutRange(span(range.from(), range.to()), range.region()));
    }
    layout.setRanges(ranges);
    layout.setSource(source);
    return layout;
  }
}
