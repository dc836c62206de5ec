package dev.homeport.e2e.history;

import dev.homeport.e2e.history.CheckResult.Anomaly;
import dev.homeport.e2e.history.CheckResult.CounterCheck;
import dev.homeport.e2e.history.ClientOp.Kind;
import dev.homeport.e2e.history.ClientOp.Outcome;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Turns a scenario's {@link History} into verdicts. Writes are matched to their requests by write
 * id; a retry may carry the id of the write it retries, so every request with one id counts as one
 * write: acknowledged if any of them was acknowledged, refused if all of them were refused, of
 * unknown outcome otherwise.
 *
 * <ul>
 *   <li><b>lost</b>: an acknowledged write id no backend applied.
 *   <li><b>doubled</b>: a write id applied more than once, in one region or several.
 *   <li><b>phantom</b>: a write id applied although every request that carried it was refused.
 *   <li><b>unknown</b> (not an anomaly): a write id whose requests ended in errors and never in an
 *       acknowledgement; it may or may not have been applied.
 *   <li><b>split-brain</b>: a key's applied writes, in the order they were applied, fall into
 *       tenures: runs of consecutive writes applied in one region. Homeport changes a key's home
 *       back from B to A only after fencing B for at least {@link Policy#minTenure()} (the lease
 *       duration plus the clock-skew margin), so once A has handed a key to B, A applies no write
 *       of it for at least that long. A tenure of B between two tenures of A (A, B, A) where A was
 *       away for less than the minimum tenure (from A's last write before B's first to A's first
 *       write after B's last) means A and B both accepted writes for the key at once. Each such
 *       tenure counts once.
 *   <li><b>misattributed</b>: a write applied in region X whose acknowledgements all named another
 *       serving region ({@code X-Homeport-Region}); acknowledgements without a serving region are
 *       not judged.
 *   <li><b>stale read</b>: an acknowledged read that observed fewer writes of its key than the
 *       number of distinct write ids of that key acknowledged (at the end of their first
 *       acknowledged request) before the read started, less {@link Policy#staleReadBound()}.
 *   <li><b>counter mismatch</b>: a region's final value of a counter outside the interval the
 *       increments allow: the acknowledged deltas' sum, widened by every unknown (error) delta in
 *       its own direction. Refused increments count for nothing.
 * </ul>
 *
 * <p>Examples name times in milliseconds after the first request started.
 */
public final class HistoryChecker {

  /**
   * How strictly to judge.
   *
   * @param staleReadBound how long a write may take after its acknowledgement to become visible to
   *     every read; zero for read-your-acknowledged-writes everywhere
   * @param minTenure the shortest time a region can be away from a key's home and take it back: the
   *     lease duration plus the clock-skew margin
   */
  public record Policy(Duration staleReadBound, Duration minTenure) {

    public Policy {
      requireNotNegative(staleReadBound, "staleReadBound");
      requireNotNegative(minTenure, "minTenure");
    }

    /** No stale reads allowed at all; split-brain judged against {@code minTenure}. */
    public static Policy strict(Duration minTenure) {
      return new Policy(Duration.ZERO, minTenure);
    }

    private static void requireNotNegative(Duration duration, String name) {
      Objects.requireNonNull(duration, name);
      if (duration.isNegative()) {
        throw new IllegalArgumentException(name + " must not be negative, got " + duration);
      }
    }
  }

  private final Policy policy;
  private final List<ClientOp> ops;
  private final List<AppliedWrite> applied;
  private final List<CounterReading> readings;
  private final long origin;
  private final Map<String, List<ClientOp>> writeOpsById = new HashMap<>();
  private final Map<String, List<AppliedWrite>> appliedById = new HashMap<>();
  private final CheckResult.Builder result = CheckResult.builder();

  private HistoryChecker(History history, Policy policy) {
    this.policy = policy;
    this.ops = sorted(history.ops(), Comparator.comparingLong(ClientOp::startNanos));
    this.applied = sorted(history.appliedWrites(), Comparator.comparingLong(AppliedWrite::atNanos));
    this.readings = history.counterReadings();
    this.origin =
        !ops.isEmpty() ? ops.get(0).startNanos() : applied.isEmpty() ? 0 : applied.get(0).atNanos();
    for (ClientOp op : ops) {
      if (op.kind() == Kind.WRITE) {
        writeOpsById.computeIfAbsent(op.value(), id -> new ArrayList<>()).add(op);
      }
    }
    for (AppliedWrite write : applied) {
      appliedById.computeIfAbsent(write.writeId(), id -> new ArrayList<>()).add(write);
    }
  }

  /** Checks a history; the history may go on being recorded into, the check sees a snapshot. */
  public static CheckResult check(History history, Policy policy) {
    Objects.requireNonNull(history, "history");
    Objects.requireNonNull(policy, "policy");
    HistoryChecker checker = new HistoryChecker(history, policy);
    checker.writes();
    checker.splitBrain();
    checker.misattributed();
    checker.staleReads();
    checker.counters();
    return checker.result.build();
  }

  private void writes() {
    int acknowledged = 0;
    int unknown = 0;
    int unknownApplied = 0;
    // Ops are in start order, so the write ids come out in the order they were first sent.
    for (Map.Entry<String, List<ClientOp>> write : inFirstSentOrder().entrySet()) {
      String id = write.getKey();
      List<ClientOp> requests = write.getValue();
      ClientOp first = requests.get(0);
      List<AppliedWrite> applications = appliedById.getOrDefault(id, List.of());
      ClientOp ack = requests.stream().filter(ClientOp::acknowledged).findFirst().orElse(null);
      if (ack != null) {
        acknowledged++;
        if (applications.isEmpty()) {
          result.found(
              Anomaly.LOST,
              String.format(
                  Locale.ROOT,
                  "write %s to key %s acknowledged (%d) by %s via %s at %s, applied nowhere",
                  id,
                  ack.key(),
                  ack.status(),
                  orUnknown(ack.servedBy()),
                  orUnknown(ack.entryRegion()),
                  at(ack.endNanos())));
        }
      } else if (requests.stream().allMatch(op -> op.outcome() == Outcome.REFUSED)) {
        if (!applications.isEmpty()) {
          AppliedWrite application = applications.get(0);
          result.found(
              Anomaly.PHANTOM,
              String.format(
                  Locale.ROOT,
                  "write %s to key %s refused (%d) via %s at %s, yet applied in %s at %s",
                  id,
                  first.key(),
                  first.status(),
                  orUnknown(first.entryRegion()),
                  at(first.endNanos()),
                  application.region(),
                  at(application.atNanos())));
        }
      } else {
        unknown++;
        if (!applications.isEmpty()) {
          unknownApplied++;
        }
      }
    }
    result.acknowledgedWrites(acknowledged).unknown(unknown, unknownApplied);

    Map<String, List<AppliedWrite>> inApplyOrder = new LinkedHashMap<>();
    for (AppliedWrite write : applied) {
      inApplyOrder.computeIfAbsent(write.writeId(), id -> new ArrayList<>()).add(write);
    }
    inApplyOrder.forEach(
        (id, applications) -> {
          if (applications.size() > 1) {
            result.found(
                Anomaly.DOUBLED,
                String.format(
                    Locale.ROOT,
                    "write %s to key %s applied %d times: %s",
                    id,
                    applications.get(0).key(),
                    applications.size(),
                    applications.stream()
                        .map(a -> a.region() + " at " + at(a.atNanos()))
                        .collect(Collectors.joining(", "))));
          }
        });
  }

  private Map<String, List<ClientOp>> inFirstSentOrder() {
    Map<String, List<ClientOp>> byId = new LinkedHashMap<>();
    for (ClientOp op : ops) {
      if (op.kind() == Kind.WRITE) {
        byId.put(op.value(), writeOpsById.get(op.value()));
      }
    }
    return byId;
  }

  /** A run of consecutive writes of one key applied in one region. */
  private record Tenure(String region, List<AppliedWrite> writes) {
    AppliedWrite first() {
      return writes.get(0);
    }

    AppliedWrite last() {
      return writes.get(writes.size() - 1);
    }
  }

  private void splitBrain() {
    Map<String, List<AppliedWrite>> byKey = new TreeMap<>();
    for (AppliedWrite write : applied) {
      byKey.computeIfAbsent(write.key(), key -> new ArrayList<>()).add(write);
    }
    record Found(long atNanos, String example) {}
    List<Found> found = new ArrayList<>();
    long minTenure = policy.minTenure().toNanos();
    byKey.forEach(
        (key, writes) -> {
          List<Tenure> tenures = tenures(writes);
          for (int i = 1; i + 1 < tenures.size(); i++) {
            Tenure before = tenures.get(i - 1);
            Tenure between = tenures.get(i);
            Tenure after = tenures.get(i + 1);
            long away = after.first().atNanos() - before.last().atNanos();
            if (before.region().equals(after.region()) && away < minTenure) {
              found.add(
                  new Found(
                      between.first().atNanos(),
                      String.format(
                          Locale.ROOT,
                          "key %s: %s applied %d write(s) (%s) at %s..%s while %s applied %s at %s"
                              + " and %s at %s, away %.1f ms < min tenure %,d ms",
                          key,
                          between.region(),
                          between.writes().size(),
                          ids(between),
                          at(between.first().atNanos()),
                          at(between.last().atNanos()),
                          before.region(),
                          before.last().writeId(),
                          at(before.last().atNanos()),
                          after.first().writeId(),
                          at(after.first().atNanos()),
                          away / 1e6,
                          policy.minTenure().toMillis())));
            }
          }
        });
    found.sort(Comparator.comparingLong(Found::atNanos));
    found.forEach(f -> result.found(Anomaly.SPLIT_BRAIN, f.example()));
  }

  private static List<Tenure> tenures(List<AppliedWrite> writes) {
    List<AppliedWrite> ordered =
        sorted(
            writes,
            Comparator.comparingLong(AppliedWrite::atNanos).thenComparing(AppliedWrite::writeId));
    List<Tenure> tenures = new ArrayList<>();
    for (AppliedWrite write : ordered) {
      Tenure last = tenures.isEmpty() ? null : tenures.get(tenures.size() - 1);
      if (last != null && last.region().equals(write.region())) {
        last.writes().add(write);
      } else {
        tenures.add(new Tenure(write.region(), new ArrayList<>(List.of(write))));
      }
    }
    return tenures;
  }

  private static String ids(Tenure tenure) {
    return tenure.writes().size() == 1
        ? tenure.first().writeId()
        : tenure.first().writeId() + " … " + tenure.last().writeId();
  }

  private void misattributed() {
    for (AppliedWrite write : applied) {
      List<String> servedBy =
          writeOpsById.getOrDefault(write.writeId(), List.of()).stream()
              .filter(op -> op.acknowledged() && op.servedBy() != null)
              .map(ClientOp::servedBy)
              .distinct()
              .toList();
      if (!servedBy.isEmpty() && !servedBy.contains(write.region())) {
        result.found(
            Anomaly.MISATTRIBUTED,
            String.format(
                Locale.ROOT,
                "write %s to key %s applied in %s at %s, but acknowledged as served by %s",
                write.writeId(),
                write.key(),
                write.region(),
                at(write.atNanos()),
                String.join(", ", servedBy)));
      }
    }
  }

  private void staleReads() {
    // Per key, when each distinct write id was first acknowledged, sorted.
    Map<String, Map<String, Long>> firstAck = new HashMap<>();
    for (ClientOp op : ops) {
      if (op.kind() == Kind.WRITE && op.acknowledged()) {
        firstAck
            .computeIfAbsent(op.key(), key -> new HashMap<>())
            .merge(op.value(), op.endNanos(), Math::min);
      }
    }
    Map<String, long[]> ackTimes = new HashMap<>();
    firstAck.forEach(
        (key, byId) -> {
          long[] times = byId.values().stream().mapToLong(Long::longValue).toArray();
          Arrays.sort(times);
          ackTimes.put(key, times);
        });
    long bound = policy.staleReadBound().toNanos();
    int reads = 0;
    for (ClientOp read : ops) {
      if (read.kind() != Kind.READ || !read.acknowledged()) {
        continue;
      }
      reads++;
      long before = read.startNanos() - bound;
      int required = countBefore(ackTimes.getOrDefault(read.key(), new long[0]), before);
      long observed = read.number();
      if (observed < required) {
        result.found(
            Anomaly.STALE_READ,
            String.format(
                Locale.ROOT,
                "read %s of key %s via %s served by %s at %s saw %d write(s), %d acknowledged"
                    + " before %s (bound %,d ms)",
                read.id(),
                read.key(),
                orUnknown(read.entryRegion()),
                orUnknown(read.servedBy()),
                at(read.startNanos()),
                observed,
                required,
                at(before),
                policy.staleReadBound().toMillis()));
      }
    }
    result.acknowledgedReads(reads);
  }

  /** How many of the sorted times are strictly before {@code instant}. */
  private static int countBefore(long[] sortedTimes, long instant) {
    int low = 0;
    int high = sortedTimes.length;
    while (low < high) {
      int middle = (low + high) >>> 1;
      if (sortedTimes[middle] < instant) {
        low = middle + 1;
      } else {
        high = middle;
      }
    }
    return low;
  }

  private void counters() {
    Map<String, long[]> sums = new TreeMap<>(); // counter → {acknowledged, negative, positive}
    for (ClientOp op : ops) {
      if (op.kind() != Kind.INCREMENT || op.outcome() == Outcome.REFUSED) {
        continue;
      }
      long[] sum = sums.computeIfAbsent(op.key(), counter -> new long[3]);
      long delta = op.number();
      if (op.acknowledged()) {
        sum[0] += delta;
      } else if (delta < 0) {
        sum[1] += delta;
      } else {
        sum[2] += delta;
      }
    }
    Map<String, Map<String, Long>> finalValues = new TreeMap<>();
    for (CounterReading reading : readings) {
      finalValues
          .computeIfAbsent(reading.counter(), counter -> new TreeMap<>())
          .put(reading.region(), reading.value());
    }
    TreeSet<String> names = new TreeSet<>(sums.keySet());
    names.addAll(finalValues.keySet());
    for (String name : names) {
      long[] sum = sums.getOrDefault(name, new long[3]);
      CounterCheck check =
          new CounterCheck(
              name,
              sum[0],
              sum[0] + sum[1],
              sum[0] + sum[2],
              finalValues.getOrDefault(name, Map.of()));
      result.counter(check);
      for (String region : check.mismatchedRegions()) {
        long value = check.readings().get(region);
        result.found(
            Anomaly.COUNTER_MISMATCH,
            String.format(
                Locale.ROOT,
                "counter %s in %s reads %d, expected %s (%s %d)",
                name,
                region,
                value,
                check.expected(),
                value < check.lowest() ? "short by" : "over by",
                value < check.lowest() ? check.lowest() - value : value - check.highest()));
      }
    }
  }

  private String at(long nanos) {
    return String.format(Locale.ROOT, "+%.1f ms", (nanos - origin) / 1e6);
  }

  private static String orUnknown(String region) {
    return region == null ? "an unknown region" : region;
  }

  private static <T> List<T> sorted(List<T> list, Comparator<? super T> order) {
    List<T> copy = new ArrayList<>(list);
    copy.sort(order);
    return copy;
  }
}
