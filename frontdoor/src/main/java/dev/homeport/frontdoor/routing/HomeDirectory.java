package dev.homeport.frontdoor.routing;

import com.github.benmanes.caffeine.cache.AsyncLoadingCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.homeport.contract.DirectoryEntry;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Directory overrides of routing keys, cached, with the {@link BucketOverrides} behind them. A miss
 * costs one Redis read; concurrent misses for one key share it. Entries are refreshed in the
 * background after {@code refreshAfter} (a failed refresh keeps the old value, so cached keys
 * outlive a Redis outage) and dropped on an epoch bump or a per-key change message.
 */
public final class HomeDirectory {

  private final AsyncLoadingCache<String, Optional<DirectoryEntry>> cache;

  private final BucketOverrides buckets;

  public HomeDirectory(
      ControlStore store,
      BucketOverrides buckets,
      int maxEntries,
      Duration refreshAfter,
      Duration expireAfter) {
    this.buckets = buckets;
    this.cache =
        Caffeine.newBuilder()
            .maximumSize(maxEntries)
            .refreshAfterWrite(refreshAfter)
            .expireAfterWrite(expireAfter)
            .recordStats()
            .buildAsync((key, executor) -> store.directory(key).toCompletableFuture());
  }

  /**
   * The key's entry: its own override, else its bucket's entry (empty: the routing table's bucket
   * map decides); fails when the key is not cached and Redis fails.
   */
  public CompletableFuture<Optional<DirectoryEntry>> lookup(String key) {
    return cache
        .get(key)
        .thenApply(own -> own.isPresent() ? own : Optional.ofNullable(buckets.entry(key)));
  }

  /** The entry of the key's bucket, from memory; null when the table's bucket map decides. */
  public DirectoryEntry bucketEntry(String key) {
    return buckets.entry(key);
  }

  public void invalidate(String key) {
    cache.synchronous().invalidate(key);
  }

  public void invalidateAll() {
    cache.synchronous().invalidateAll();
  }

  /** The underlying cache, for metrics. */
  public com.github.benmanes.caffeine.cache.Cache<String, Optional<DirectoryEntry>> cache() {
    return cache.synchronous();
  }
}
