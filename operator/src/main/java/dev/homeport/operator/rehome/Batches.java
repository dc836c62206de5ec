package dev.homeport.operator.rehome;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * How a move's units (routing keys, or buckets) are cut into batches and paced. Deterministic from
 * the (immutable) spec and what the status records, so an operator that restarts mid-move finds the
 * same batches.
 *
 * <p>A key list moves in batches of {@code rate / 2} keys, at most {@link #MAX_BATCH}. A bucket
 * range moves in batches of as many buckets as hold about {@code rate / 2} keys, by the average
 * number of keys per bucket; the cost of a batch grows with its buckets, not with their keys, so
 * there is no cap. Batches start no faster than the rate allows.
 */
public final class Batches {

  /**
   * A batch of keys is fenced, drained and switched as a unit; this bounds the directory entries
   * one batch writes (and announces) in one script, and the keys one barrier names.
   */
  static final int MAX_BATCH = 2000;

  /**
   * Batches are sized so that about this many start per second at the requested rate. A batch costs
   * a few round trips to every region whatever its size (fence, barrier, drain, switch), a few
   * hundred milliseconds across continents; two a second leaves each half a second, so that the
   * requested rate is reached rather than capped by that cost.
   */
  static final int BATCHES_PER_SECOND = 2;

  private final Space space;
  private final List<String> units;
  private final int size;
  private final double keysPerUnit;
  private final long totalKeys;
  private final int rate;

  private Batches(
      Space space, List<String> units, int size, double keysPerUnit, long totalKeys, int rate) {
    this.space = space;
    this.units = units;
    this.size = size;
    this.keysPerUnit = keysPerUnit;
    this.totalKeys = totalKeys;
    this.rate = rate;
  }

  /** Batches of a key list, each key once, in the order given. */
  public static Batches ofKeys(List<String> keys, int rate) {
    return ofKeys(keys, rate, null);
  }

  /**
   * The same, cut into batches of {@code unitsPerBatch} keys when given: the size a move recorded
   * when it was validated, so that a resumed move keeps its batches whatever this version's sizing.
   */
  public static Batches ofKeys(List<String> keys, int rate, Integer unitsPerBatch) {
    List<String> unique = List.copyOf(new LinkedHashSet<>(keys));
    int size =
        unitsPerBatch != null
            ? Math.max(1, unitsPerBatch)
            : Math.max(1, Math.min(MAX_BATCH, rate / BATCHES_PER_SECOND));
    return new Batches(Space.KEYS, unique, size, 1, unique.size(), rate);
  }

  /**
   * Batches of buckets, each once, in the order given.
   *
   * @param totalKeys the keys the buckets hold together, as the application reported them; null
   *     when unknown, and then {@code rate} is read as buckets per second
   */
  public static Batches ofBuckets(List<Integer> buckets, Long totalKeys, int rate) {
    return ofBuckets(buckets, totalKeys, rate, null);
  }

  /** The same, cut into batches of {@code unitsPerBatch} buckets when given (see ofKeys). */
  public static Batches ofBuckets(
      List<Integer> buckets, Long totalKeys, int rate, Integer unitsPerBatch) {
    List<String> unique = new ArrayList<>();
    new LinkedHashSet<>(buckets).forEach(bucket -> unique.add(bucket.toString()));
    long keys = totalKeys != null ? totalKeys : unique.size();
    double perBucket = unique.isEmpty() ? 1 : Math.max(1e-9, (double) keys / unique.size());
    int size =
        unitsPerBatch != null
            ? Math.max(1, unitsPerBatch)
            : (int) Math.max(1, Math.min(unique.size(), rate / BATCHES_PER_SECOND / perBucket));
    return new Batches(Space.BUCKETS, List.copyOf(unique), size, perBucket, keys, rate);
  }

  /** Whether the units are keys or buckets. */
  Space space() {
    return space;
  }

  /** Units (keys or buckets) per batch. */
  public int size() {
    return size;
  }

  /** Keys per batch, on average. */
  public long keysPerBatch() {
    return Math.round(size * keysPerUnit);
  }

  public int count() {
    return (units.size() + size - 1) / size;
  }

  /** Every unit, each once, in the order they move. */
  public List<String> units() {
    return units;
  }

  public long totalKeys() {
    return totalKeys;
  }

  /** The units of batch {@code index}, from 1. */
  public List<String> batch(int index) {
    int from = (index - 1) * size;
    return new ArrayList<>(units.subList(from, Math.min(units.size(), from + size)));
  }

  /** Keys in the batches before {@code index} (for buckets, by the average per bucket). */
  public long keysBefore(int index) {
    int unitsBefore = Math.min(units.size(), (index - 1) * size);
    return unitsBefore == units.size()
        ? totalKeys
        : Math.min(totalKeys, Math.round(unitsBefore * keysPerUnit));
  }

  /**
   * How long after the move started batch {@code index} may start, so that keys move no faster than
   * the rate.
   */
  public Duration earliestStart(int index) {
    return Duration.ofNanos((long) (keysBefore(index) * 1e9 / rate));
  }
}
