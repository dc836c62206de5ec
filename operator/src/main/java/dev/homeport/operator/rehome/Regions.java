package dev.homeport.operator.rehome;

import dev.homeport.contract.BucketAssignment;
import dev.homeport.contract.DirectoryBarrier;
import dev.homeport.contract.DirectoryEntry;
import dev.homeport.contract.KeyHash;
import dev.homeport.crds.v1alpha1.spec.RegionSpec;
import dev.homeport.operator.region.RegionLink;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * The directory of every region at once, as re-homing needs it: one consistent view of each key's
 * entry, writes that reach every region, and barriers that every live front-door instance
 * acknowledges. Every call is bounded by a deadline and fails with a message naming the region.
 */
final class Regions {

  /** A step could not finish in every region before its deadline. */
  static final class Unfinished extends Exception {
    /** The region that did not answer, or null when the step as a whole ran out of time. */
    final String region;

    Unfinished(String message) {
      this(null, message);
    }

    Unfinished(String region, String message) {
      super(message);
      this.region = region;
    }
  }

  private static final Duration BARRIER_TTL = Duration.ofMinutes(5);
  private static final Duration REANNOUNCE = Duration.ofMillis(200);
  private static final Duration POLL = Duration.ofMillis(5);

  private final Map<String, RegionLink> links;
  private final Map<String, RegionSpec> specs;
  private final List<BucketAssignment> bucketMap;
  private final int buckets;
  private final Duration instanceLiveness;
  private volatile Map<Integer, DirectoryEntry> movedBuckets = Map.of();

  /**
   * @param instanceLiveness a front-door instance whose last heartbeat is older than this holds no
   *     write lease any more (lease duration + skew margin), so a barrier need not wait for it
   */
  Regions(
      Map<String, RegionLink> links,
      Map<String, RegionSpec> specs,
      List<BucketAssignment> bucketMap,
      int buckets,
      Duration instanceLiveness) {
    this.links = links;
    this.specs = specs;
    this.bucketMap = bucketMap;
    this.buckets = buckets;
    this.instanceLiveness = instanceLiveness;
  }

  RegionSpec spec(String region) {
    return specs.get(region);
  }

  /** The region the bucket layout (the routing table's bucket map) gives {@code bucket}. */
  String placementHome(int bucket) {
    for (BucketAssignment range : bucketMap) {
      if (bucket >= range.from() && bucket <= range.to()) {
        return range.region();
      }
    }
    throw new IllegalStateException("bucket " + bucket + " is in no range of the bucket map");
  }

  int buckets() {
    return buckets;
  }

  /**
   * The region a key's bucket homes it in (its home when the directory has no override): the
   * bucket's entry as last {@link #loadBuckets loaded}, else the placement.
   */
  String bucketHome(String key) {
    int bucket = KeyHash.bucket(key, buckets);
    DirectoryEntry moved = movedBuckets.get(bucket);
    return moved != null ? moved.home() : placementHome(bucket);
  }

  /** The home of a unit of {@code space} with this entry (null: no entry of its own). */
  String home(Space space, String unit, DirectoryEntry entry) {
    if (entry != null) {
      return entry.home();
    }
    return space == Space.KEYS ? bucketHome(unit) : placementHome(Integer.parseInt(unit));
  }

  /** Reads every region's bucket entries; {@link #bucketHome} answers from them afterwards. */
  void loadBuckets(Instant deadline) throws Unfinished {
    Map<Integer, DirectoryEntry> latest = new HashMap<>();
    for (Map<Integer, DirectoryEntry> entries :
        everywhere(links.keySet(), "read the bucket entries", RegionLink::allBuckets, deadline)
            .values()) {
      entries.forEach((bucket, entry) -> latest.merge(bucket, entry, Regions::later));
    }
    movedBuckets = latest;
  }

  /**
   * Each unit's entry as the regions hold it; where they differ, the entry with the highest epoch
   * (the operator's last write) wins. Null: no entry anywhere.
   */
  Map<String, DirectoryEntry> entries(Space space, List<String> units, Instant deadline)
      throws Unfinished {
    Map<String, DirectoryEntry> latest = new HashMap<>();
    for (String unit : units) {
      latest.put(unit, null);
    }
    for (Map<String, DirectoryEntry> entries :
        everywhere(
                links.keySet(),
                "read the " + space.one + " entries",
                link -> read(space, link, units),
                deadline)
            .values()) {
      entries.forEach(
          (unit, entry) -> {
            if (entry != null) {
              latest.put(unit, later(latest.get(unit), entry));
            }
          });
    }
    return latest;
  }

  private static DirectoryEntry later(DirectoryEntry known, DirectoryEntry entry) {
    return known == null || entry.epoch() > known.epoch() ? entry : known;
  }

  private static CompletionStage<Map<String, DirectoryEntry>> read(
      Space space, RegionLink link, List<String> units) {
    if (space == Space.KEYS) {
      return link.directory(units);
    }
    return link.buckets(numbers(units))
        .thenApply(
            entries -> {
              Map<String, DirectoryEntry> byUnit = new HashMap<>();
              entries.forEach((bucket, entry) -> byUnit.put(bucket.toString(), entry));
              return byUnit;
            });
  }

  /** Writes the same entries (null deletes) into every region. */
  void write(Space space, Map<String, DirectoryEntry> entries, Instant deadline) throws Unfinished {
    if (entries.isEmpty()) {
      return;
    }
    if (space == Space.KEYS) {
      everywhere(
          links.keySet(), "write the directory", link -> link.writeDirectory(entries), deadline);
      return;
    }
    Map<Integer, DirectoryEntry> byBucket = new LinkedHashMap<>();
    entries.forEach((unit, entry) -> byBucket.put(Integer.valueOf(unit), entry));
    everywhere(
        links.keySet(), "write the bucket entries", link -> link.writeBuckets(byBucket), deadline);
  }

  static List<Integer> numbers(List<String> units) {
    List<Integer> numbers = new ArrayList<>(units.size());
    units.forEach(unit -> numbers.add(Integer.valueOf(unit)));
    return numbers;
  }

  /**
   * Returns once every live front-door instance of every region has dropped its cached entries for
   * {@code units} and finished the writes for them (for a bucket: any key in it) it had begun. Each
   * round asks every region still waited for at once; the barrier is announced again every {@link
   * #REANNOUNCE}, for instances that missed the message or registered since.
   */
  void barrier(Space space, List<String> units, Instant deadline) throws Unfinished {
    String id = UUID.randomUUID().toString();
    DirectoryBarrier barrier =
        space == Space.KEYS
            ? DirectoryBarrier.forKeys(id, units, Instant.now().toString())
            : DirectoryBarrier.forBuckets(id, numbers(units), Instant.now().toString());
    Set<String> pending = new TreeSet<>(links.keySet());
    Map<String, String> silent = new HashMap<>();
    Instant announced = Instant.MIN;
    while (!pending.isEmpty()) {
      Instant now = Instant.now();
      if (now.isAfter(deadline)) {
        List<String> waiting = new ArrayList<>();
        for (String region : pending) {
          waiting.add(region + " " + silent.getOrDefault(region, "(no answer yet)"));
        }
        throw new Unfinished(
            "front-door instances did not acknowledge the directory barrier in time: "
                + String.join("; ", waiting));
      }
      try {
        if (Duration.between(announced, now).compareTo(REANNOUNCE) >= 0) {
          everywhere(
              pending,
              "announce a barrier",
              link -> link.requestBarrier(barrier, BARRIER_TTL),
              deadline);
          announced = now;
        }
        everywhere(
                pending,
                "read barrier acknowledgements",
                link -> link.barrierMissing(barrier.id(), instanceLiveness, BARRIER_TTL),
                deadline)
            .forEach(
                (region, missing) -> {
                  if (missing.isEmpty()) {
                    pending.remove(region);
                  } else {
                    silent.put(region, new TreeSet<>(missing).toString());
                  }
                });
      } catch (Unfinished e) {
        silent.put(e.region, e.getMessage());
      }
      if (!pending.isEmpty()) {
        pause(POLL);
      }
    }
  }

  /** Sends {@code call} to every region in {@code regions} at once and awaits every answer. */
  private <T> Map<String, T> everywhere(
      Set<String> regions,
      String what,
      Function<RegionLink, CompletionStage<T>> call,
      Instant deadline)
      throws Unfinished {
    Map<String, CompletableFuture<T>> calls = new LinkedHashMap<>();
    for (String region : regions) {
      calls.put(region, call.apply(links.get(region)).toCompletableFuture());
    }
    Map<String, T> answers = new LinkedHashMap<>();
    for (var pending : calls.entrySet()) {
      answers.put(pending.getKey(), await(pending.getKey(), what, pending.getValue(), deadline));
    }
    return answers;
  }

  private static <T> T await(
      String region, String what, CompletableFuture<T> future, Instant deadline) throws Unfinished {
    long millis = Math.max(1, Duration.between(Instant.now(), deadline).toMillis());
    try {
      return future.get(millis, TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      future.cancel(true);
      throw new Unfinished(region, "region " + region + ": could not " + what + " in time");
    } catch (ExecutionException e) {
      throw new Unfinished(
          region, "region " + region + ": could not " + what + ": " + e.getCause().getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Unfinished(region, "region " + region + ": interrupted while trying to " + what);
    }
  }

  static void pause(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
