package dev.homeport.frontdoor.config;

import java.time.Duration;

/**
 * A global request quota on a route: at most {@code limit} requests per routing key per {@code
 * window}, summed over every region. Each region counts in its own slot of a CRDT counter and
 * decides by the merged sum it already holds, so no cross-region call sits on the request path; the
 * sum can lag by one replication interval.
 *
 * @param limit requests per key per window, across all regions
 * @param window fixed window length; windows start at multiples of it since the epoch
 */
public record Quota(long limit, Duration window) {

  /** The window a wall-clock instant falls into. */
  public long windowIndex(long epochMillis) {
    return Math.floorDiv(epochMillis, window.toMillis());
  }

  /** Whole seconds from {@code epochMillis} to the end of its window, at least 1. */
  public int secondsToWindowEnd(long epochMillis) {
    long end = (windowIndex(epochMillis) + 1) * window.toMillis();
    return (int) Math.max(1, (end - epochMillis + 999) / 1000);
  }
}
