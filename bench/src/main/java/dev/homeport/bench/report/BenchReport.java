package dev.homeport.bench.report;

import dev.homeport.bench.Machine;
import dev.homeport.bench.controlplane.FailoverRuns;
import dev.homeport.bench.controlplane.Rehoming;
import dev.homeport.bench.controlplane.TablePublication;
import dev.homeport.bench.crdt.CrdtConvergence;
import dev.homeport.bench.crdt.CrdtThroughput;
import dev.homeport.bench.proxy.ProxyOverhead;
import dev.homeport.bench.resolution.ZipfRun;
import java.util.List;

/**
 * Everything one run of the benchmarks measured, as the Markdown and JSON reports show it. A part
 * that was not run is null (or empty) and the report says so.
 *
 * @param started when the run began (ISO-8601, UTC)
 * @param seconds how long the whole run took
 * @param loadBefore the load averages (1, 5, 15 min) when the run began
 * @param loadAfter the load averages when it ended
 * @param rerun the commands that reproduce this report
 * @param jmhCommand how the JMH benchmarks were run (options)
 * @param zipfCommand the exact command of the popularity run
 */
public record BenchReport(
    String started,
    double seconds,
    Machine machine,
    String loadBefore,
    String loadAfter,
    List<String> rerun,
    ProxyOverhead.Result proxy,
    String jmhCommand,
    List<JmhFigure> jmh,
    String zipfCommand,
    ZipfRun.Result zipf,
    CrdtThroughput.Result crdt,
    CrdtConvergence.Result convergence,
    TablePublication.Result publication,
    Rehoming.Result rehoming,
    FailoverRuns.Result failover,
    List<Goal> goals) {

  /**
   * One JMH benchmark's primary result.
   *
   * @param benchmark the method's name
   * @param score the mean over the measured iterations
   * @param error the 99.9% confidence half-width JMH reports (NaN with too few iterations)
   */
  public record JmhFigure(String benchmark, String mode, double score, double error, String unit) {

    /** The score in nanoseconds per operation, for an average-time result in any unit. */
    public double nanos() {
      return switch (unit) {
        case "ns/op" -> score;
        case "us/op" -> score * 1e3;
        case "ms/op" -> score * 1e6;
        case "s/op" -> score * 1e9;
        default -> Double.NaN;
      };
    }
  }

  /** A figure a goal sets, and where this run left it. */
  public record Goal(String area, String goal, String measured, Status status) {}

  /** Whether a goal was reached. */
  public enum Status {
    MET,
    MISSED,
    /** Measured, but on a machine whose capacity changed meanwhile: neither met nor missed. */
    INCONCLUSIVE,
    NOT_MEASURED
  }
}
