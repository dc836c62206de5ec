package dev.homeport.e2e.history;

import dev.homeport.e2e.history.ClientOp.Kind;
import dev.homeport.e2e.history.ClientOp.Outcome;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * A scenario's requests over time: outcomes per time slice, the keys' write-unavailability windows
 * and recovery times. Built once from a snapshot of the requests; immutable.
 */
public final class Timeline {

  /** The slice length unless one is given. */
  public static final Duration DEFAULT_SLICE = Duration.ofMillis(250);

  /** How acknowledgements without a serving region are counted in {@link Slice#acknowledged()}. */
  public static final String UNATTRIBUTED = "unattributed";

  /**
   * The requests that started in one slice, by outcome.
   *
   * @param startNanos when the slice begins
   * @param acknowledged acknowledged requests by serving region (regions with none are left out)
   * @param refused refused requests
   * @param errors requests that ended in errors
   */
  public record Slice(long startNanos, Map<String, Integer> acknowledged, int refused, int errors) {

    public Slice {
      acknowledged = Collections.unmodifiableMap(new TreeMap<>(acknowledged));
    }

    /** Acknowledged requests, whichever region served them. */
    public int acknowledgedTotal() {
      return acknowledged.values().stream().mapToInt(Integer::intValue).sum();
    }

    /** Every request that started in the slice. */
    public int total() {
      return acknowledgedTotal() + refused + errors;
    }
  }

  /**
   * A period one key could not be written.
   *
   * @param key the key
   * @param fromNanos the end of the first refused or failed write after the key was writable
   * @param toNanos the end of the next acknowledged write, or the end of the last request when
   *     there was none
   * @param closed whether an acknowledged write ended the window
   */
  public record Window(String key, long fromNanos, long toNanos, boolean closed) {

    public Duration duration() {
      return Duration.ofNanos(toNanos - fromNanos);
    }
  }

  private final long originNanos;
  private final long endNanos;
  private final Duration slice;
  private final List<ClientOp> ops;
  private final List<String> regions;
  private final List<Slice> slices;
  private final List<Window> windows;
  private final List<Duration> sortedWindowDurations;

  private Timeline(List<ClientOp> ops, Duration slice, long originNanos) {
    this.originNanos = originNanos;
    this.slice = slice;
    List<ClientOp> inStartOrder = new ArrayList<>(ops);
    inStartOrder.sort(Comparator.comparingLong(ClientOp::startNanos));
    this.ops = List.copyOf(inStartOrder);
    this.endNanos = ops.stream().mapToLong(ClientOp::endNanos).max().orElse(originNanos);
    this.slices = slices(this.ops, slice.toNanos(), originNanos);
    TreeSet<String> served = new TreeSet<>();
    slices.forEach(s -> served.addAll(s.acknowledged().keySet()));
    this.regions = List.copyOf(served);
    this.windows = windows(this.ops, endNanos);
    this.sortedWindowDurations = windows.stream().map(Window::duration).sorted().toList();
  }

  /** The history's requests in slices of {@link #DEFAULT_SLICE}, from its first request. */
  public static Timeline of(History history) {
    return of(history.ops());
  }

  /** The requests in slices of {@link #DEFAULT_SLICE}, from the first request. */
  public static Timeline of(List<ClientOp> ops) {
    return of(ops, DEFAULT_SLICE);
  }

  /** The requests in slices of {@code slice}, from the first request. */
  public static Timeline of(List<ClientOp> ops, Duration slice) {
    return of(ops, slice, ops.stream().mapToLong(ClientOp::startNanos).min().orElse(0));
  }

  /**
   * The requests in slices of {@code slice} from {@code originNanos}, such as the start of a
   * scenario; requests that started before it are left out of the slices.
   */
  public static Timeline of(List<ClientOp> ops, Duration slice, long originNanos) {
    Objects.requireNonNull(ops, "ops");
    Objects.requireNonNull(slice, "slice");
    if (slice.isNegative() || slice.isZero()) {
      throw new IllegalArgumentException("slice must be positive, got " + slice);
    }
    return new Timeline(ops, slice, originNanos);
  }

  private static List<Slice> slices(List<ClientOp> ops, long sliceNanos, long originNanos) {
    List<Map<String, Integer>> acknowledged = new ArrayList<>();
    List<int[]> failed = new ArrayList<>(); // {refused, errors}
    for (ClientOp op : ops) {
      if (op.startNanos() < originNanos) {
        continue;
      }
      int index = Math.toIntExact((op.startNanos() - originNanos) / sliceNanos);
      while (acknowledged.size() <= index) {
        acknowledged.add(new HashMap<>());
        failed.add(new int[2]);
      }
      switch (op.outcome()) {
        case ACK ->
            acknowledged
                .get(index)
                .merge(op.servedBy() == null ? UNATTRIBUTED : op.servedBy(), 1, Integer::sum);
        case REFUSED -> failed.get(index)[0]++;
        case ERROR -> failed.get(index)[1]++;
      }
    }
    List<Slice> slices = new ArrayList<>();
    for (int i = 0; i < acknowledged.size(); i++) {
      slices.add(
          new Slice(
              originNanos + i * sliceNanos,
              acknowledged.get(i),
              failed.get(i)[0],
              failed.get(i)[1]));
    }
    return List.copyOf(slices);
  }

  private static List<Window> windows(List<ClientOp> ops, long endNanos) {
    Map<String, List<ClientOp>> writesByKey = new TreeMap<>();
    for (ClientOp op : ops) {
      if (op.kind() == Kind.WRITE) {
        writesByKey.computeIfAbsent(op.key(), key -> new ArrayList<>()).add(op);
      }
    }
    List<Window> windows = new ArrayList<>();
    writesByKey.forEach(
        (key, writes) -> {
          writes.sort(Comparator.comparingLong(ClientOp::endNanos));
          Long openedAt = null;
          for (ClientOp write : writes) {
            if (write.outcome() != Outcome.ACK && openedAt == null) {
              openedAt = write.endNanos();
            } else if (write.outcome() == Outcome.ACK && openedAt != null) {
              windows.add(new Window(key, openedAt, write.endNanos(), true));
              openedAt = null;
            }
          }
          if (openedAt != null) {
            windows.add(new Window(key, openedAt, endNanos, false));
          }
        });
    windows.sort(Comparator.comparingLong(Window::fromNanos));
    return List.copyOf(windows);
  }

  /** The instant slice 0 begins. */
  public long originNanos() {
    return originNanos;
  }

  /** When the last request ended (the origin when there were none). */
  public long endNanos() {
    return endNanos;
  }

  /** The slice length. */
  public Duration slice() {
    return slice;
  }

  /** The regions that served acknowledged requests, sorted by name. */
  public List<String> regions() {
    return regions;
  }

  /**
   * One slice per {@link #slice()} from the origin to the last request's start, each counting the
   * requests that started in it (so a request that timed out counts where it was sent).
   */
  public List<Slice> slices() {
    return slices;
  }

  /**
   * Every key's write-unavailability windows, by start. A key's writes are taken in the order they
   * ended: a window opens at the end of a refused or failed write when the key was writable, and
   * closes at the end of the next acknowledged write of the key.
   */
  public List<Window> windows() {
    return windows;
  }

  /**
   * A percentile of the windows' durations, nearest rank; zero when there were none.
   *
   * @param percentile between 0 and 100
   */
  public Duration windowPercentile(double percentile) {
    if (!(percentile >= 0 && percentile <= 100)) {
      throw new IllegalArgumentException("percentile must be in [0, 100], got " + percentile);
    }
    if (sortedWindowDurations.isEmpty()) {
      return Duration.ZERO;
    }
    int rank = (int) Math.ceil(percentile / 100 * sortedWindowDurations.size());
    return sortedWindowDurations.get(Math.max(rank, 1) - 1);
  }

  public Duration windowP50() {
    return windowPercentile(50);
  }

  public Duration windowP99() {
    return windowPercentile(99);
  }

  public Duration windowMax() {
    return windowPercentile(100);
  }

  /**
   * How long after {@code fromNanos} the requests matching {@code matching} recovered: the time
   * from {@code fromNanos} to the first instant from which every matching request was acknowledged.
   * Taking the matching requests sent at or after {@code fromNanos}, that instant is the end of the
   * first acknowledged one sent after the last one that was refused or failed; zero when none was
   * refused or failed.
   *
   * @return empty when a matching request failed and none sent after it was acknowledged
   */
  public Optional<Duration> rto(long fromNanos, Predicate<ClientOp> matching) {
    Objects.requireNonNull(matching, "matching");
    long lastFailureStart = Long.MIN_VALUE;
    boolean failed = false;
    for (ClientOp op : ops) {
      if (op.startNanos() >= fromNanos && matching.test(op) && !op.acknowledged()) {
        failed = true;
        lastFailureStart = Math.max(lastFailureStart, op.startNanos());
      }
    }
    if (!failed) {
      return Optional.of(Duration.ZERO);
    }
    long after = lastFailureStart;
    return ops.stream()
        .filter(op -> op.startNanos() > after && op.acknowledged() && matching.test(op))
        .mapToLong(ClientOp::endNanos)
        .min()
        .stream()
        .mapToObj(recovered -> Duration.ofNanos(recovered - fromNanos))
        .findFirst();
  }
}
