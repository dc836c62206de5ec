package dev.homeport.frontdoor.crdt;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * A hybrid logical clock (Kulkarni et al., 2014) for one front-door. Its timestamps never go
 * backwards, and once it has observed a timestamp every timestamp it issues is later, whatever the
 * wall clocks say. A remote timestamp too far ahead of the local wall clock is refused rather than
 * adopted: one region's runaway clock must not drag every region's clock forward.
 */
public final class HybridLogicalClock {

  /** A remote timestamp more than the allowed skew ahead of this region's wall clock. */
  public static final class ClockSkewException extends RuntimeException {
    ClockSkewException(String message) {
      super(message);
    }
  }

  private final String region;
  private final LongSupplier wallMillis;
  private final long maxSkewMillis;
  private long physical;
  private int logical;

  public HybridLogicalClock(String region, LongSupplier wallMillis, Duration maxSkew) {
    this.region = region;
    this.wallMillis = wallMillis;
    this.maxSkewMillis = maxSkew.toMillis();
  }

  /** A timestamp for a local write. */
  public synchronized HlcTimestamp now() {
    long wall = wallMillis.getAsLong();
    if (wall > physical) {
      physical = wall;
      logical = 0;
    } else {
      logical = Math.addExact(logical, 1);
    }
    return new HlcTimestamp(physical, logical, region);
  }

  /**
   * Takes in a timestamp seen from another region (a replicated write) so that later local writes
   * order after it.
   *
   * @throws ClockSkewException when it is more than the allowed skew ahead of the local wall clock
   */
  public synchronized void observe(HlcTimestamp remote) {
    long wall = wallMillis.getAsLong();
    checkSkew(remote, wall);
    long next = Math.max(Math.max(physical, remote.physicalMillis()), wall);
    if (next == physical && next == remote.physicalMillis()) {
      logical = Math.addExact(Math.max(logical, remote.logical()), 1);
    } else if (next == physical) {
      logical = Math.addExact(logical, 1);
    } else if (next == remote.physicalMillis()) {
      logical = Math.addExact(remote.logical(), 1);
    } else {
      logical = 0;
    }
    physical = next;
  }

  /** Refuses a write stamped too far in this region's future. */
  public void checkSkew(HlcTimestamp remote, long wall) {
    long ahead = remote.physicalMillis() - wall;
    if (ahead > maxSkewMillis) {
      throw new ClockSkewException(
          "timestamp from region "
              + remote.region()
              + " is "
              + ahead
              + " ms ahead of region "
              + region
              + "'s clock, over the allowed skew of "
              + maxSkewMillis
              + " ms; fix that region's clock (NTP)");
    }
  }
}
