package dev.homeport.e2e.history;

import java.util.Objects;

/**
 * A write as a region's backend applied it (taken from a client, not replicated from a peer).
 *
 * @param writeId the write id the request carried ({@code X-Write-Id})
 * @param key the key written
 * @param region the region whose backend applied it
 * @param atNanos {@link System#nanoTime()} when it was applied
 */
public record AppliedWrite(String writeId, String key, String region, long atNanos) {

  public AppliedWrite {
    Objects.requireNonNull(writeId, "writeId");
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(region, "region");
  }
}
