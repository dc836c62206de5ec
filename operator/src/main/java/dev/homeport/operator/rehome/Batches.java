package dev.homeport.operator.rehome;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * How a key list is cut into batches and paced. Deterministic from the (immutable) spec, so an
 * operator that restarts mid-move finds the same batches.
 */
public final class Batches {

  /**
   * A batch is fenced, drained and switched as a unit; this bounds the keys unavailable at once.
   */
  static final int MAX_BATCH = 500;

  /** Batches are sized so that about this many start per second at the requested rate. */
  static final int BATCHES_PER_SECOND = 4;

  private final List<String> keys;
  private final int size;
  private final int rate;

  public Batches(List<String> keys, int rate) {
    this.keys = List.copyOf(new LinkedHashSet<>(keys));
    this.rate = rate;
    this.size = Math.max(1, Math.min(MAX_BATCH, rate / BATCHES_PER_SECOND));
  }

  public int size() {
    return size;
  }

  public int count() {
    return (keys.size() + size - 1) / size;
  }

  /** Every key, each once, in the order they move. */
  public List<String> keys() {
    return keys;
  }

  public int totalKeys() {
    return keys.size();
  }

  /** The keys of batch {@code index}, from 1. */
  public List<String> batch(int index) {
    int from = (index - 1) * size;
    return new ArrayList<>(keys.subList(from, Math.min(keys.size(), from + size)));
  }

  /** Keys in the batches before {@code index}. */
  public int keysBefore(int index) {
    return Math.min(keys.size(), (index - 1) * size);
  }

  /**
   * How long after the move started batch {@code index} may start, so that keys move no faster than
   * the rate.
   */
  public Duration earliestStart(int index) {
    return Duration.ofNanos((long) (keysBefore(index) * 1e9 / rate));
  }
}
