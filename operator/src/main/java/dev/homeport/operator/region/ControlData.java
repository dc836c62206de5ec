package dev.homeport.operator.region;

import dev.homeport.contract.DirectoryEntry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * The directory and bucket entries of several regions read at once and merged, and copied into a
 * region that joins. Every region holds the same entries but for writes that failed part-way, so
 * where regions differ the entry with the highest epoch (the operator's last write) wins. Blocking:
 * call it off the reconcile thread.
 */
public final class ControlData {

  /** Entries copied per script call. */
  private static final int COPY_BATCH = 500;

  private ControlData() {}

  /**
   * What the regions hold.
   *
   * @param keys every key's directory entry, the latest of the regions that answered
   * @param buckets every bucket entry, the latest of the regions that answered
   * @param answered the regions that answered, in order
   * @param failed the regions that did not, each with what went wrong
   */
  public record Snapshot(
      Map<String, DirectoryEntry> keys,
      Map<Integer, DirectoryEntry> buckets,
      List<String> answered,
      Map<String, String> failed) {}

  /**
   * Reads every region's bucket entries and, with {@code withKeys}, its whole directory, all
   * regions at once, waiting at most {@code timeout}. Never throws: a region that cannot be read is
   * in {@link Snapshot#failed}.
   */
  public static Snapshot read(Map<String, RegionLink> links, boolean withKeys, Duration timeout) {
    Instant deadline = Instant.now().plus(timeout);
    Map<String, CompletableFuture<Map<Integer, DirectoryEntry>>> buckets = new LinkedHashMap<>();
    Map<String, CompletableFuture<Map<String, DirectoryEntry>>> keys = new LinkedHashMap<>();
    links.forEach(
        (region, link) -> {
          buckets.put(region, link.allBuckets().toCompletableFuture());
          keys.put(
              region,
              withKeys
                  ? link.allDirectory().toCompletableFuture()
                  : CompletableFuture.completedFuture(Map.of()));
        });
    Map<String, DirectoryEntry> latestKeys = new HashMap<>();
    Map<Integer, DirectoryEntry> latestBuckets = new HashMap<>();
    List<String> answered = new ArrayList<>();
    Map<String, String> failed = new TreeMap<>();
    for (String region : links.keySet()) {
      try {
        Map<Integer, DirectoryEntry> regionBuckets = await(buckets.get(region), deadline);
        Map<String, DirectoryEntry> regionKeys = await(keys.get(region), deadline);
        regionBuckets.forEach(
            (bucket, entry) -> latestBuckets.merge(bucket, entry, ControlData::later));
        regionKeys.forEach((key, entry) -> latestKeys.merge(key, entry, ControlData::later));
        answered.add(region);
      } catch (RuntimeException e) {
        failed.put(region, e.getMessage());
      }
    }
    return new Snapshot(latestKeys, latestBuckets, answered, failed);
  }

  /** How many entries a copy wrote (the target already held the others, or newer ones). */
  public record Copied(long keys, long buckets) {}

  /**
   * Copies the settled entries of {@code snapshot} into {@code target}, never over a newer entry.
   * Fenced entries are left out: they belong to a move in flight, which writes the joining region
   * itself from now on, and a fenced entry copied after that move rolled back would fence its keys
   * for good; without it the joining region routes the key to its old home, which refuses the write
   * while it is fenced.
   *
   * @throws IllegalStateException naming the region when it cannot be written in time
   */
  public static Copied copySettled(RegionLink target, Snapshot snapshot, Duration timeout) {
    Instant deadline = Instant.now().plus(timeout);
    long keys =
        copy(
            settled(snapshot.keys()),
            batch -> target.copyDirectory(batch).toCompletableFuture(),
            deadline);
    long buckets =
        copy(
            settled(snapshot.buckets()),
            batch -> target.copyBuckets(batch).toCompletableFuture(),
            deadline);
    return new Copied(keys, buckets);
  }

  private static <K> Map<K, DirectoryEntry> settled(Map<K, DirectoryEntry> entries) {
    Map<K, DirectoryEntry> settled = new LinkedHashMap<>();
    entries.forEach(
        (unit, entry) -> {
          if (entry != null && !entry.fenced()) {
            settled.put(unit, entry);
          }
        });
    return settled;
  }

  private static <K> long copy(
      Map<K, DirectoryEntry> entries,
      Function<Map<K, DirectoryEntry>, CompletableFuture<Long>> write,
      Instant deadline) {
    long written = 0;
    Map<K, DirectoryEntry> batch = new LinkedHashMap<>();
    for (Map.Entry<K, DirectoryEntry> entry : entries.entrySet()) {
      batch.put(entry.getKey(), entry.getValue());
      if (batch.size() == COPY_BATCH) {
        written += await(write.apply(batch), deadline);
        batch = new LinkedHashMap<>();
      }
    }
    if (!batch.isEmpty()) {
      written += await(write.apply(batch), deadline);
    }
    return written;
  }

  private static DirectoryEntry later(DirectoryEntry known, DirectoryEntry entry) {
    return entry.epoch() > known.epoch() ? entry : known;
  }

  private static <T> T await(CompletableFuture<T> future, Instant deadline) {
    long millis = Math.max(1, Duration.between(Instant.now(), deadline).toMillis());
    try {
      return future.get(millis, TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      future.cancel(true);
      throw new IllegalStateException("no answer within the time allowed");
    } catch (ExecutionException | CompletionException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      throw new IllegalStateException(
          cause.getClass().getSimpleName()
              + (cause.getMessage() == null ? "" : ": " + cause.getMessage()),
          cause);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
