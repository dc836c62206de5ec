package dev.homeport.e2e.history;

import java.util.Objects;

/**
 * A counter's final value as read from one region after replication has converged.
 *
 * @param counter the counter's name
 * @param region the region it was read from
 * @param value the value read
 */
public record CounterReading(String counter, String region, long value) {

  public CounterReading {
    Objects.requireNonNull(counter, "counter");
    Objects.requireNonNull(region, "region");
  }
}
