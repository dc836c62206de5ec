package dev.homeport.frontdoor.crdt;

import java.util.Comparator;

/**
 * A hybrid logical clock timestamp: wall-clock milliseconds, a logical counter that orders events
 * within one millisecond (or while a clock lags), and the region, which breaks the remaining ties
 * so that every two timestamps are ordered the same way in every region.
 */
public record HlcTimestamp(long physicalMillis, int logical, String region)
    implements Comparable<HlcTimestamp> {

  private static final Comparator<HlcTimestamp> ORDER =
      Comparator.comparingLong(HlcTimestamp::physicalMillis)
          .thenComparingInt(HlcTimestamp::logical)
          .thenComparing(HlcTimestamp::region);

  @Override
  public int compareTo(HlcTimestamp other) {
    return ORDER.compare(this, other);
  }

  public boolean isAfter(HlcTimestamp other) {
    return compareTo(other) > 0;
  }
}
