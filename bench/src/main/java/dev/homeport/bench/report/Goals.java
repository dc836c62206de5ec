package dev.homeport.bench.report;

import dev.homeport.bench.controlplane.FailoverRuns;
import dev.homeport.bench.controlplane.Rehoming;
import dev.homeport.bench.controlplane.TablePublication;
import dev.homeport.bench.crdt.CrdtConvergence;
import dev.homeport.bench.crdt.CrdtThroughput;
import dev.homeport.bench.proxy.ProxyOverhead;
import dev.homeport.bench.proxy.WrkResult;
import dev.homeport.bench.report.BenchReport.Goal;
import dev.homeport.bench.report.BenchReport.JmhFigure;
import dev.homeport.bench.report.BenchReport.Status;
import dev.homeport.bench.resolution.ZipfRun;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/** The goals the benchmarks here measure, judged against one run's figures. */
public final class Goals {

  /** Front-door local proxying against nginx, requests/s. */
  static final double MIN_NGINX_RATIO = 1.0;

  /** Largest difference between the two direct runs for the proxy goals to be judged. */
  static final double MAX_DIRECT_DRIFT = 0.10;

  /** Added p99 of the local path over direct, microseconds. */
  static final long MAX_ADDED_P99_MICROS = 1_000;

  /** The cache-hit path, nanoseconds. */
  static final double MAX_HIT_NANOS = 1_000;

  static final double MIN_HIT_RATIO = 0.99;
  static final double MAX_REDIS_CALLS = 0.01;
  static final long MAX_RSS_BYTES = 512L * 1024 * 1024;

  /** Increments per second per front-door through the Java API. */
  static final double MIN_JAVA_INCREMENTS = 500_000;

  /** Convergence across three regions at p99, microseconds. */
  static final long MAX_CONVERGENCE_P99_MICROS = 250_000;

  /** Failover RTO at p99, milliseconds, over at least {@link #MIN_FAILOVER_RUNS} runs. */
  static final long MAX_RTO_MILLIS = 5_000;

  static final int MIN_FAILOVER_RUNS = 20;

  static final double MIN_REHOMING_KEYS = 2_000;
  static final long MAX_REHOMING_P99_MILLIS = 500;

  private Goals() {}

  /** Judges every goal; a part not run leaves its goals {@link Status#NOT_MEASURED}. */
  public static List<Goal> judge(
      ProxyOverhead.Result proxy,
      List<JmhFigure> jmh,
      ZipfRun.Result zipf,
      CrdtThroughput.Result crdt,
      CrdtConvergence.Result convergence,
      Rehoming.Result rehoming,
      FailoverRuns.Result failover) {
    List<Goal> goals = new ArrayList<>();
    ProxyOverhead.Case local = proxy == null ? null : proxy.get("frontdoor-local");
    ProxyOverhead.Case nginx = proxy == null ? null : proxy.get("nginx");
    ProxyOverhead.Case direct = proxy == null ? null : proxy.get("direct");
    if (local != null && nginx != null) {
      double ratio = local.wrk().requestsPerSecond() / nginx.wrk().requestsPerSecond();
      goals.add(
          new Goal(
              "proxy",
              "front-door local proxying ≥ 1.0× nginx requests/s",
              format(
                  "%.2f× (%,.0f vs %,.0f requests/s)",
                  ratio, local.wrk().requestsPerSecond(), nginx.wrk().requestsPerSecond()),
              unstable(proxy)
                  ? Status.INCONCLUSIVE
                  : ratio >= MIN_NGINX_RATIO ? Status.MET : Status.MISSED));
    } else {
      goals.add(notMeasured("proxy", "front-door local proxying ≥ 1.0× nginx requests/s"));
    }
    if (local != null && direct != null) {
      long added = added(local.wrk(), direct.wrk());
      goals.add(
          new Goal(
              "proxy",
              "added p99 latency of local proxying ≤ 1 ms",
              format(
                  "%+,d µs (p99 %,d µs vs %,d µs direct)",
                  added, local.wrk().p99Micros(), direct.wrk().p99Micros()),
              // Less latency through a proxy than without one is noise, not a result.
              unstable(proxy) || added < 0
                  ? Status.INCONCLUSIVE
                  : added <= MAX_ADDED_P99_MICROS ? Status.MET : Status.MISSED));
    } else {
      goals.add(notMeasured("proxy", "added p99 latency of local proxying ≤ 1 ms"));
    }
    JmhFigure hit =
        jmh == null
            ? null
            : jmh.stream().filter(f -> f.benchmark().equals("hitPath")).findFirst().orElse(null);
    if (hit != null) {
      goals.add(
          new Goal(
              "home resolution",
              "cache-hit path ≤ 1 µs",
              format("%,.0f ns", hit.nanos()),
              hit.nanos() <= MAX_HIT_NANOS ? Status.MET : Status.MISSED));
    } else {
      goals.add(notMeasured("home resolution", "cache-hit path ≤ 1 µs"));
    }
    if (zipf != null) {
      goals.add(
          new Goal(
              "home resolution",
              "≥ 99% cache hits on the Zipf run",
              format(
                  "%.2f%% (best any %,d-entry cache can do: %.2f%%)",
                  zipf.hitRatio() * 100, zipf.cacheEntries(), zipf.bestHitRatio() * 100),
              zipf.hitRatio() >= MIN_HIT_RATIO ? Status.MET : Status.MISSED));
      goals.add(
          new Goal(
              "home resolution",
              "≤ 0.01 Redis calls per request on the Zipf run",
              format("%.4f", zipf.redisCallsPerLookup()),
              zipf.redisCallsPerLookup() <= MAX_REDIS_CALLS ? Status.MET : Status.MISSED));
      goals.add(
          new Goal(
              "home resolution",
              "resident memory ≤ 512 MB on the Zipf run",
              format(
                  "%,.0f MiB at the end, peak %,.0f MiB",
                  zipf.rssBytes() / 1048576.0, zipf.peakRssBytes() / 1048576.0),
              zipf.peakRssBytes() <= MAX_RSS_BYTES ? Status.MET : Status.MISSED));
    } else {
      goals.add(notMeasured("home resolution", "≥ 99% cache hits on the Zipf run"));
      goals.add(notMeasured("home resolution", "≤ 0.01 Redis calls per request on the Zipf run"));
      goals.add(notMeasured("home resolution", "resident memory ≤ 512 MB on the Zipf run"));
    }
    if (crdt != null) {
      goals.add(
          new Goal(
              "CRDT",
              "≥ 500,000 increments/s per front-door through the Java API",
              format("%,.0f increments/s", crdt.javaApiPerSecond()),
              crdt.javaApiPerSecond() >= MIN_JAVA_INCREMENTS ? Status.MET : Status.MISSED));
    } else {
      goals.add(notMeasured("CRDT", "≥ 500,000 increments/s per front-door through the Java API"));
    }
    String convergenceGoal = "convergence p99 ≤ 250 ms across three regions, 0 lost";
    if (convergence != null && convergence.convergenceMicros().length > 0) {
      long p99 = TablePublication.Result.percentile(convergence.convergenceMicros(), 99);
      goals.add(
          new Goal(
              "CRDT",
              convergenceGoal,
              format(
                  "p99 %,.1f ms; %,d of %,d acknowledged increments lost; %d samples not"
                      + " converged",
                  p99 / 1e3,
                  convergence.lost(),
                  convergence.acknowledged(),
                  convergence.unconverged()),
              p99 <= MAX_CONVERGENCE_P99_MICROS
                      && convergence.lost() == 0
                      && convergence.unconverged() == 0
                  ? Status.MET
                  : Status.MISSED));
    } else {
      goals.add(notMeasured("CRDT", convergenceGoal));
    }
    String rtoGoal = "failover RTO p99 ≤ 5 s";
    if (failover != null && !failover.runs().isEmpty()) {
      long[] rto = failover.rtoMillis();
      long p99 = TablePublication.Result.percentile(rto, 99);
      goals.add(
          new Goal(
              "control plane",
              rtoGoal,
              format(
                  "p99 %,.2f s over %d runs (p50 %,.2f s; lease and skew margin %,.0f s);"
                      + " %,d lost, %,d split-brain",
                  p99 / 1e3,
                  rto.length,
                  TablePublication.Result.percentile(rto, 50) / 1e3,
                  failover.floorMillis() / 1e3,
                  failover.lost(),
                  failover.splitBrain()),
              rto.length >= MIN_FAILOVER_RUNS
                      && p99 <= MAX_RTO_MILLIS
                      && failover.lost() == 0
                      && failover.splitBrain() == 0
                  ? Status.MET
                  : rto.length < MIN_FAILOVER_RUNS ? Status.INCONCLUSIVE : Status.MISSED));
    } else {
      goals.add(notMeasured("control plane", rtoGoal));
    }
    String rehomingGoal = "re-homing ≥ 2,000 keys/s, per-key unavailability p99 ≤ 500 ms";
    if (rehoming != null && !rehoming.moves().isEmpty()) {
      Rehoming.Move fastest =
          rehoming.moves().stream()
              .max(Comparator.comparingDouble(Rehoming.Move::keysPerSecond))
              .orElseThrow();
      long worstP99 =
          rehoming.moves().stream()
              .mapToLong(Rehoming.Move::unavailabilityP99Millis)
              .max()
              .orElse(0);
      boolean clean =
          rehoming.moves().stream()
              .allMatch(
                  m ->
                      "Completed".equals(m.phase())
                          && m.moved() == m.keys()
                          && m.lost() == 0
                          && m.doubled() == 0
                          && m.splitBrain() == 0);
      goals.add(
          new Goal(
              "control plane",
              rehomingGoal,
              format(
                  "%,.0f keys/s (%,d keys at rate %,d); per-key unavailability p99 %,d ms (worst"
                      + " move)%s",
                  fastest.keysPerSecond(),
                  fastest.keys(),
                  fastest.rate(),
                  worstP99,
                  clean ? "" : "; a move did not complete cleanly"),
              clean
                      && fastest.keysPerSecond() >= MIN_REHOMING_KEYS
                      && worstP99 <= MAX_REHOMING_P99_MILLIS
                  ? Status.MET
                  : Status.MISSED));
    } else {
      goals.add(notMeasured("control plane", rehomingGoal));
    }
    return goals;
  }

  /** How far apart the first and the last direct run are in requests/s, 0 to 1; 0 without both. */
  public static double drift(ProxyOverhead.Result proxy) {
    ProxyOverhead.Case first = proxy.get("direct");
    ProxyOverhead.Case last = proxy.get("direct-again");
    if (first == null || last == null) {
      return 0;
    }
    double a = first.wrk().requestsPerSecond();
    double b = last.wrk().requestsPerSecond();
    return Math.abs(a - b) / Math.max(Math.max(a, b), 1e-9);
  }

  /**
   * Whether the machine's capacity changed during the proxy cases: the direct runs before and after
   * them differ by more than 10%. Ratios between cases then compare unlike conditions.
   */
  public static boolean unstable(ProxyOverhead.Result proxy) {
    return drift(proxy) > MAX_DIRECT_DRIFT;
  }

  /** Latency a proxy adds at p99: its p99 less the direct p99. */
  public static long added(WrkResult proxied, WrkResult direct) {
    return proxied.p99Micros() - direct.p99Micros();
  }

  private static Goal notMeasured(String area, String goal) {
    return new Goal(area, goal, "not run", Status.NOT_MEASURED);
  }

  private static String format(String pattern, Object... args) {
    return String.format(Locale.ROOT, pattern, args);
  }
}
