package dev.homeport.frontdoor.routing;

import com.github.benmanes.caffeine.cache.AsyncLoadingCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.homeport.contract.DirectoryEntry;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Directory overrides of routing keys, cached. A miss costs one Redis read; concurrent misses for
 * one key share it. Entries are refreshed in the background after {@code refreshAfter} (a failed
 * refresh keeps the old value, so cached keys outlive a Redis outage) and dropped on an epoch bump
 * or a per-key change message.
 */
public final class HomeDirectory {

  private final AsyncLoadingCache<String, Optional<DirectoryEntry>> cache;

  public HomeDirectory(
      ControlStore store, int maxEntries, Duration refreshAfter, Duration expireAfter) {
    this.cache =
        Caffeine.newBuilder()
            .maximumSize(maxEntries)
            .refreshAfterWrite(refreshAfter)
            .expireAfterWrite(expireAfter)
            .recordStats()
            .buildAsync((key, executor) -> store.directory(key).toCompletableFuture());
  }

  /**
   * The key's override (empty: its bucket decides); fails when it is not cached and Redis fails.
   */
  public CompletableFuture<Optional<DirectoryEntry>> lookup(String key) {
    return cache.get(key);
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
