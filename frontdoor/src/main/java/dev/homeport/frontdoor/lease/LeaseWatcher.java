package dev.homeport.frontdoor.lease;

import dev.homeport.contract.Lease;
import dev.homeport.frontdoor.routing.ControlStore;
import java.util.concurrent.CompletionStage;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether this region may take home writes. The operator renews the region's lease by bumping its
 * renewal counter; this watcher notes, on its own monotonic clock, when it last saw the counter
 * change, and reports the lease lost once that is longer ago than the lease's duration. It never
 * compares its clock with the operator's. Until it has seen one renewal it holds no lease, so a
 * front-door that starts cut off from the operator never takes writes.
 */
public final class LeaseWatcher {

  private static final Logger log = LoggerFactory.getLogger(LeaseWatcher.class);

  private final ControlStore store;
  private final String region;
  private final LongSupplier nanoTime;
  private final boolean required;

  private long lastRenewal = Long.MIN_VALUE;
  private long seenAtNanos;
  private long durationNanos;
  private boolean wasHeld;

  public LeaseWatcher(ControlStore store, String region, LongSupplier nanoTime, boolean required) {
    this.store = store;
    this.region = region;
    this.nanoTime = nanoTime;
    this.required = required;
  }

  /** Reads the lease and notes a renewal. Never fails: a failed read renews nothing. */
  public CompletionStage<Void> poll() {
    return store
        .lease(region)
        .handle(
            (lease, error) -> {
              if (error == null && lease.isPresent()) {
                observe(lease.get());
              }
              held();
              return null;
            });
  }

  synchronized void observe(Lease lease) {
    if (lease.renewal() != lastRenewal) {
      lastRenewal = lease.renewal();
      seenAtNanos = nanoTime.getAsLong();
      durationNanos = lease.durationMillis() * 1_000_000;
    }
  }

  /** Whether home writes are allowed now. */
  public synchronized boolean held() {
    boolean held =
        !required
            || (lastRenewal != Long.MIN_VALUE
                && nanoTime.getAsLong() - seenAtNanos < durationNanos);
    if (held != wasHeld) {
      wasHeld = held;
      if (held) {
        log.info("Region {} holds its write lease (renewal {})", region, lastRenewal);
      } else {
        log.warn("Region {} has no valid write lease: home writes are fenced", region);
      }
    }
    return held;
  }

  /** Nanoseconds since the last renewal was seen; -1 before the first. */
  public synchronized long ageNanos() {
    return lastRenewal == Long.MIN_VALUE ? -1 : nanoTime.getAsLong() - seenAtNanos;
  }

  /** Duration of the lease as last published, in nanoseconds; 0 before the first. */
  public synchronized long durationNanos() {
    return durationNanos;
  }
}
