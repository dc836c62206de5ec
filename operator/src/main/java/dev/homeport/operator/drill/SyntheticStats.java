package dev.homeport.operator.drill;

import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What a drill's synthetic requests saw, summed over the drill: requests sent, those counted
 * against abortIf (outside the fenced window), their failures by kind, and their latencies.
 */
final class SyntheticStats {

  /** Latencies kept for the p99 (the most recent ones); enough for hours of rounds. */
  private static final int LATENCIES = 50_000;

  private long sent;
  private long counted;
  private long errors;
  private final Map<String, Long> errorKinds = new LinkedHashMap<>();
  private final long[] latencies = new long[LATENCIES];
  private int latencyCount;
  private int latencyNext;

  /** Resumes the counts a previous operator wrote into the drill's record. */
  void resume(long sentBefore, long errorsBefore) {
    sent = sentBefore;
    counted = sentBefore;
    errors = errorsBefore;
  }

  /**
   * Adds a round.
   *
   * @param fromEpoch answers decided by a routing table older than this are inside the window in
   *     which the keys were switched over and do not count against abortIf or the report's errors
   */
  void add(List<SyntheticProbe.Outcome> round, long fromEpoch) {
    sent += round.size();
    for (SyntheticProbe.Outcome outcome : round) {
      if (outcome.epoch() >= 0 && outcome.epoch() < fromEpoch) {
        continue;
      }
      counted++;
      if (!outcome.ok()) {
        errors++;
        errorKinds.merge(outcome.describe(), 1L, Long::sum);
      }
      latencies[latencyNext] = outcome.latencyNanos();
      latencyNext = (latencyNext + 1) % LATENCIES;
      latencyCount = Math.min(LATENCIES, latencyCount + 1);
    }
  }

  long sent() {
    return sent;
  }

  long counted() {
    return counted;
  }

  long errors() {
    return errors;
  }

  double errorRate() {
    return counted == 0 ? 0 : (double) errors / counted;
  }

  /** The p99 latency of the counted requests since this operator started; null before any. */
  Duration p99() {
    if (latencyCount == 0) {
      return null;
    }
    long[] sorted = Arrays.copyOf(latencies, latencyCount);
    Arrays.sort(sorted);
    int index = (int) Math.ceil(0.99 * sorted.length) - 1;
    return Duration.ofNanos(sorted[Math.max(0, index)]);
  }

  /** The most frequent failures, e.g. {@code 502 from singapore via frankfurt ×20}. */
  String errorSummary(int kinds) {
    if (errorKinds.isEmpty()) {
      return "none";
    }
    return errorKinds.entrySet().stream()
        .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
        .limit(kinds)
        .map(e -> e.getKey() + " ×" + e.getValue())
        .collect(Collectors.joining("; "));
  }
}
