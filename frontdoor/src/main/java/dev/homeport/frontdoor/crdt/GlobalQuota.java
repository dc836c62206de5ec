package dev.homeport.frontdoor.crdt;

import dev.homeport.frontdoor.config.Quota;
import dev.homeport.frontdoor.config.Route;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Global per-key request quotas. Each region counts a key's requests in its own slot of a CRDT
 * counter per window and decides by the merged sum it already holds, so the request path never
 * waits on another region; the sum lags the other regions by about one replication interval.
 */
public final class GlobalQuota {

  private final CrdtService crdt;
  private final LongSupplier wallMillis;
  private final MeterRegistry registry;
  private final Map<String, Counter> rejected = new ConcurrentHashMap<>();

  public GlobalQuota(CrdtService crdt, LongSupplier wallMillis, MeterRegistry registry) {
    this.crdt = crdt;
    this.wallMillis = wallMillis;
    this.registry = registry;
  }

  /**
   * Counts a request of {@code key} on {@code route} if the quota allows it.
   *
   * @return 0 when admitted (and counted), else the seconds until the window ends (Retry-After)
   */
  public int admit(Route route, String key) {
    Quota quota = route.quota();
    long now = wallMillis.getAsLong();
    long windowEnd = (quota.windowIndex(now) + 1) * quota.window().toMillis();
    String counter = CrdtNames.quotaCounter(route.name(), windowEnd, key);
    if (crdt.localView(counter) >= quota.limit()) {
      rejected
          .computeIfAbsent(
              route.name(),
              name ->
                  Counter.builder("homeport.quota.rejected")
                      .description("Requests refused by a route's global quota")
                      .tag("route", name)
                      .register(registry))
          .increment();
      return quota.secondsToWindowEnd(now);
    }
    crdt.count(counter);
    return 0;
  }
}
