package dev.homeport.frontdoor.routing;

import dev.homeport.contract.DirectoryEntry;
import dev.homeport.contract.KeyHash;
import dev.homeport.contract.RedisKeys;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The region's bucket entries ({@link RedisKeys#BUCKETS}): buckets moved away from the routing
 * table's placement, or fenced while they move. There is at most one per bucket, so all of them are
 * held in memory and the hot path never waits for Redis: a key without an entry of its own is homed
 * by its bucket's entry here, else by the table.
 *
 * <p>Reloaded whole at start and on every table poll, and per bucket on a change message or a
 * bucket barrier. Every read is numbered when it is sent; since Redis answers one connection's
 * commands in order, a read with a higher number saw a newer state, and a bucket takes a read's
 * answer only if no higher-numbered read has been applied to it (a removed entry is remembered as
 * removed, with its number, for the same reason).
 */
public final class BucketOverrides {

  private static final Logger log = LoggerFactory.getLogger(BucketOverrides.class);

  private record Versioned(DirectoryEntry entry, long read) {}

  private final ControlStore store;
  private final IntSupplier bucketCount;
  private final Map<Integer, Versioned> buckets = new ConcurrentHashMap<>();
  private long reads;

  /**
   * @param bucketCount the number of buckets of the routing table in use; 0 before one is loaded
   */
  public BucketOverrides(ControlStore store, IntSupplier bucketCount) {
    this.store = store;
    this.bucketCount = bucketCount;
  }

  /** The bucket of {@code key} under the routing table in use; -1 before a table is loaded. */
  public int bucketOf(String key) {
    int count = bucketCount.getAsInt();
    return count < 1 ? -1 : KeyHash.bucket(key, count);
  }

  /** The entry of the bucket {@code key} falls in; null when the table's placement homes it. */
  public DirectoryEntry entry(String key) {
    if (buckets.isEmpty()) {
      return null;
    }
    int bucket = bucketOf(key);
    Versioned versioned = bucket < 0 ? null : buckets.get(bucket);
    return versioned == null ? null : versioned.entry();
  }

  /** Reads every bucket entry from Redis; buckets without one go back to the table's placement. */
  public CompletionStage<Void> reload() {
    long read;
    CompletionStage<Map<Integer, DirectoryEntry>> answer;
    synchronized (this) {
      read = ++reads;
      answer = store.bucketEntries();
    }
    return answer.thenAccept(
        entries -> {
          entries.forEach((bucket, entry) -> apply(bucket, entry, read));
          for (Integer bucket : List.copyOf(buckets.keySet())) {
            if (!entries.containsKey(bucket)) {
              apply(bucket, null, read);
            }
          }
        });
  }

  /** Reads the entries of {@code wanted} from Redis. */
  public CompletionStage<Void> refresh(Collection<Integer> wanted) {
    List<Integer> list = List.copyOf(wanted);
    long read;
    CompletionStage<Map<Integer, DirectoryEntry>> answer;
    synchronized (this) {
      read = ++reads;
      answer = store.bucketEntries(list);
    }
    return answer.thenAccept(
        entries -> {
          for (Integer bucket : list) {
            apply(bucket, entries.get(bucket), read);
          }
        });
  }

  /** Handles a change message naming a bucket; never fails. */
  public void changed(String message) {
    int bucket;
    try {
      bucket = Integer.parseInt(message.trim());
    } catch (NumberFormatException e) {
      log.warn("Ignoring bucket change message '{}': not a bucket number", message);
      return;
    }
    refresh(List.of(bucket))
        .exceptionally(
            e -> {
              log.debug("Cannot reload bucket {}; the next poll will: {}", bucket, e.toString());
              return null;
            });
  }

  /** How many buckets have an entry, fenced or moved. */
  public int size() {
    int size = 0;
    for (Versioned versioned : buckets.values()) {
      if (versioned.entry() != null) {
        size++;
      }
    }
    return size;
  }

  private void apply(Integer bucket, DirectoryEntry entry, long read) {
    buckets.compute(
        bucket,
        (b, known) -> known != null && known.read() > read ? known : new Versioned(entry, read));
  }
}
