package dev.homeport.e2e.history;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * What {@link HistoryChecker} found: a count per anomaly, up to {@value #MAX_EXAMPLES} examples of
 * each, and the figures the anomalies are counted against.
 */
public final class CheckResult {

  /** Examples kept per anomaly; the count goes on past it. */
  public static final int MAX_EXAMPLES = 10;

  /** Something a correct system never does. */
  public enum Anomaly {
    /** An acknowledged write no backend applied. */
    LOST("lost"),
    /** A write id applied more than once. */
    DOUBLED("doubled"),
    /** A write applied although its only requests were refused. */
    PHANTOM("phantom"),
    /** Two regions accepting writes for one key at once (see {@link HistoryChecker}). */
    SPLIT_BRAIN("split-brain"),
    /** A write applied in a region other than the one the client was told served it. */
    MISATTRIBUTED("misattributed"),
    /** A read that missed a write acknowledged before it started (less the bound). */
    STALE_READ("stale reads"),
    /** A region's final counter value outside what the acknowledged increments allow. */
    COUNTER_MISMATCH("counter mismatches");

    private final String label;

    Anomaly(String label) {
      this.label = label;
    }

    /** How the anomaly is named in summaries. */
    public String label() {
      return label;
    }
  }

  /**
   * One counter's check: every region's reading must lie in {@code [lowest, highest]}, which is the
   * acknowledged sum widened by the deltas of increments whose outcome is unknown.
   *
   * @param counter the counter's name
   * @param acknowledged the sum of the acknowledged deltas
   * @param lowest the acknowledged sum plus every negative unknown delta
   * @param highest the acknowledged sum plus every positive unknown delta
   * @param readings final value per region (the last reading of a region counts)
   */
  public record CounterCheck(
      String counter, long acknowledged, long lowest, long highest, Map<String, Long> readings) {

    public CounterCheck {
      readings = Collections.unmodifiableMap(new TreeMap<>(readings));
    }

    /** Whether no increment of the counter has an unknown outcome. */
    public boolean exact() {
      return lowest == highest;
    }

    /** Whether a value is one the increments allow. */
    public boolean allows(long value) {
      return value >= lowest && value <= highest;
    }

    /** The regions whose reading the increments do not allow. */
    public List<String> mismatchedRegions() {
      return readings.entrySet().stream()
          .filter(reading -> !allows(reading.getValue()))
          .map(Map.Entry::getKey)
          .toList();
    }

    String expected() {
      return exact()
          ? String.format(Locale.ROOT, "%d", acknowledged)
          : String.format(Locale.ROOT, "%d..%d", lowest, highest);
    }
  }

  private final Map<Anomaly, Integer> counts;
  private final Map<Anomaly, List<String>> examples;
  private final int acknowledgedWrites;
  private final int acknowledgedReads;
  private final int unknown;
  private final int unknownApplied;
  private final List<CounterCheck> counters;

  private CheckResult(Builder builder) {
    this.counts = Collections.unmodifiableMap(new EnumMap<>(builder.counts));
    Map<Anomaly, List<String>> kept = new EnumMap<>(Anomaly.class);
    builder.examples.forEach((anomaly, list) -> kept.put(anomaly, List.copyOf(list)));
    this.examples = Collections.unmodifiableMap(kept);
    this.acknowledgedWrites = builder.acknowledgedWrites;
    this.acknowledgedReads = builder.acknowledgedReads;
    this.unknown = builder.unknown;
    this.unknownApplied = builder.unknownApplied;
    this.counters = List.copyOf(builder.counters);
  }

  /** How many times an anomaly occurred. */
  public int count(Anomaly anomaly) {
    return counts.getOrDefault(anomaly, 0);
  }

  /** Acknowledged writes no backend applied. */
  public int lost() {
    return count(Anomaly.LOST);
  }

  /** Write ids applied more than once. */
  public int doubled() {
    return count(Anomaly.DOUBLED);
  }

  /** Write ids applied although every request that carried them was refused. */
  public int phantom() {
    return count(Anomaly.PHANTOM);
  }

  /** Short foreign tenures between two tenures of one region (A, B, A), over all keys. */
  public int splitBrain() {
    return count(Anomaly.SPLIT_BRAIN);
  }

  /** Applied writes whose acknowledgement named another serving region. */
  public int misattributed() {
    return count(Anomaly.MISATTRIBUTED);
  }

  /** Acknowledged reads that missed a write acknowledged before they started, less the bound. */
  public int staleReads() {
    return count(Anomaly.STALE_READ);
  }

  /** Counter readings (one per counter and region) outside what the increments allow. */
  public int counterMismatches() {
    return count(Anomaly.COUNTER_MISMATCH);
  }

  /** Write ids that were acknowledged by at least one request. */
  public int acknowledgedWrites() {
    return acknowledgedWrites;
  }

  /** Acknowledged reads, each checked for staleness. */
  public int acknowledgedReads() {
    return acknowledgedReads;
  }

  /**
   * Write ids whose requests ended in errors and never in an acknowledgement: may have happened.
   */
  public int unknown() {
    return unknown;
  }

  /** Of the {@link #unknown()} writes, those a backend applied. */
  public int unknownApplied() {
    return unknownApplied;
  }

  /** One check per counter, by name. */
  public List<CounterCheck> counters() {
    return counters;
  }

  /** Up to {@value #MAX_EXAMPLES} examples per anomaly found, in time order. */
  public Map<Anomaly, List<String>> examples() {
    return examples;
  }

  /** The examples of one anomaly, empty when there were none. */
  public List<String> examples(Anomaly anomaly) {
    return examples.getOrDefault(anomaly, List.of());
  }

  /** Whether no anomaly was found. Writes of unknown outcome are not anomalies. */
  public boolean clean() {
    return counts.values().stream().allMatch(count -> count == 0);
  }

  /**
   * One paragraph for a test's output, such as {@code history: 13,311 writes acknowledged, 0 lost,
   * 0 doubled, 0 phantom, 0 split-brain, 0 misattributed, 0 unknown, 0 stale reads of 1,204,
   * counters exact (downloads=2545 in 3 regions)}.
   */
  public String summary() {
    StringBuilder text = new StringBuilder();
    text.append(String.format(Locale.ROOT, "history: %,d writes acknowledged", acknowledgedWrites));
    for (Anomaly anomaly :
        List.of(
            Anomaly.LOST,
            Anomaly.DOUBLED,
            Anomaly.PHANTOM,
            Anomaly.SPLIT_BRAIN,
            Anomaly.MISATTRIBUTED)) {
      text.append(String.format(Locale.ROOT, ", %,d %s", count(anomaly), anomaly.label()));
    }
    text.append(String.format(Locale.ROOT, ", %,d unknown", unknown));
    if (unknown > 0) {
      text.append(String.format(Locale.ROOT, " (%,d applied)", unknownApplied));
    }
    text.append(
        String.format(Locale.ROOT, ", %,d stale reads of %,d", staleReads(), acknowledgedReads));
    if (!counters.isEmpty()) {
      String each =
          counters.stream()
              .map(c -> c.counter() + "=" + c.expected() + " in " + regions(c.readings().size()))
              .collect(Collectors.joining(", "));
      String verdict;
      if (counterMismatches() > 0) {
        int readings = counters.stream().mapToInt(c -> c.readings().size()).sum();
        verdict =
            String.format(
                Locale.ROOT, "counters off in %,d of %,d readings", counterMismatches(), readings);
      } else if (counters.stream().allMatch(CounterCheck::exact)) {
        verdict = "counters exact";
      } else {
        verdict = "counters within their unknown increments";
      }
      text.append(", ").append(verdict).append(" (").append(each).append(")");
    }
    return text.toString();
  }

  /** The summary followed by the examples, one per line. */
  @Override
  public String toString() {
    StringBuilder text = new StringBuilder(summary());
    examples.forEach(
        (anomaly, list) -> {
          for (String example : list) {
            text.append(System.lineSeparator())
                .append("  ")
                .append(anomaly.label())
                .append(": ")
                .append(example);
          }
        });
    return text.toString();
  }

  private static String regions(int count) {
    return count == 1 ? "1 region" : count + " regions";
  }

  static Builder builder() {
    return new Builder();
  }

  static final class Builder {
    private final Map<Anomaly, Integer> counts = new EnumMap<>(Anomaly.class);
    private final Map<Anomaly, List<String>> examples = new EnumMap<>(Anomaly.class);
    private int acknowledgedWrites;
    private int acknowledgedReads;
    private int unknown;
    private int unknownApplied;
    private final List<CounterCheck> counters = new ArrayList<>();

    private Builder() {
      for (Anomaly anomaly : Anomaly.values()) {
        counts.put(anomaly, 0);
      }
    }

    Builder found(Anomaly anomaly, String example) {
      counts.merge(anomaly, 1, Integer::sum);
      List<String> list = examples.computeIfAbsent(anomaly, a -> new ArrayList<>());
      if (list.size() < MAX_EXAMPLES) {
        list.add(example);
      }
      return this;
    }

    Builder acknowledgedWrites(int count) {
      this.acknowledgedWrites = count;
      return this;
    }

    Builder acknowledgedReads(int count) {
      this.acknowledgedReads = count;
      return this;
    }

    Builder unknown(int count, int applied) {
      this.unknown = count;
      this.unknownApplied = applied;
      return this;
    }

    Builder counter(CounterCheck check) {
      counters.add(check);
      return this;
    }

    CheckResult build() {
      return new CheckResult(this);
    }
  }
}
