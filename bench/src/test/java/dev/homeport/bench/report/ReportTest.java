package dev.homeport.bench.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.homeport.bench.Machine;
import dev.homeport.bench.controlplane.FailoverRuns;
import dev.homeport.bench.controlplane.Rehoming;
import dev.homeport.bench.controlplane.TablePublication;
import dev.homeport.bench.crdt.CrdtConvergence;
import dev.homeport.bench.crdt.CrdtThroughput;
import dev.homeport.bench.proxy.ProxyOverhead;
import dev.homeport.bench.proxy.WrkResult;
import dev.homeport.bench.report.BenchReport.JmhFigure;
import dev.homeport.bench.report.BenchReport.Status;
import dev.homeport.bench.resolution.ZipfRun;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.IntStream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;

class ReportTest {

  private static WrkResult wrk(long requests, long p50, long p99, long p999) {
    return new WrkResult(
        requests, 10_000_000, 0, 0, 0, 0, 0, p50, p50 + 50, p99, p999, p999 * 2, p50);
  }

  private static final ProxyOverhead.Result PROXY =
      new ProxyOverhead.Result(
          new ProxyOverhead.Settings(1, 32, 10, 30, 0, 1),
          List.of(
              new ProxyOverhead.Case(
                  "direct", "direct to the backend", "wrk a", null, wrk(900_000, 300, 600, 900)),
              new ProxyOverhead.Case(
                  "nginx", "nginx", "wrk b", null, wrk(500_000, 500, 900, 1_500)),
              new ProxyOverhead.Case(
                  "haproxy", "HAProxy", "wrk c", null, wrk(550_000, 480, 850, 1_400)),
              new ProxyOverhead.Case(
                  "frontdoor-local",
                  "front-door <local> & co",
                  "wrk d",
                  "local",
                  wrk(450_000, 600, 1_700, 3_000)),
              new ProxyOverhead.Case(
                  "frontdoor-cross",
                  "front-door A → B",
                  "wrk e",
                  "proxied",
                  wrk(250_000, 1_100, 2_500, 5_000))),
          List.of("taskset -c 0 nginx ..."),
          List.of("nginx version: nginx/1.22.1"));

  private static final ZipfRun.Result ZIPF =
      new ZipfRun.Result(
          10_000_000,
          1.0,
          1_000_000,
          100,
          20_000_000,
          20_000_000,
          0.80,
          0.85,
          0.862,
          8_400_000,
          3_000_000,
          0.15,
          0,
          1_000_000,
          1_000_000,
          400L << 20,
          450L << 20,
          384L << 20,
          300L << 20);

  private static final CrdtThroughput.Result CRDT =
      new CrdtThroughput.Result(
          32,
          10,
          300_000,
          0,
          250.0,
          wrk(200_000, 900, 3_000, 5_000),
          80_000,
          800_000,
          List.of("redis-benchmark ..."));

  private static final CrdtConvergence.Result CONVERGENCE =
      new CrdtConvergence.Result(
          wrk(50_000, 900, 3_000, 5_000),
          50_000,
          50_000,
          0,
          3.25,
          new long[] {40_000, 60_000, 120_000},
          0,
          List.of());

  private static final TablePublication.Result PUBLICATION =
      new TablePublication.Result(
          4,
          new long[] {300, 400, 500, 900},
          new long[] {1_000, 1_500, 2_000, 9_000},
          List.of("java ..."));

  private static final Rehoming.Result REHOMING =
      new Rehoming.Result(
          List.of(
              new Rehoming.Move(
                  "paced",
                  "mumbai",
                  "singapore",
                  5_000,
                  2_000,
                  "Completed",
                  "5000 keys now home in singapore",
                  5_000,
                  10,
                  500,
                  2.6,
                  1_923,
                  120,
                  380,
                  450,
                  900,
                  "410ms",
                  12_000,
                  0,
                  0,
                  0),
              new Rehoming.Move(
                  "fast",
                  "frankfurt",
                  "mumbai",
                  10_000,
                  20_000,
                  "RolledBack",
                  "batch 3 could not switch",
                  10_000,
                  20,
                  500,
                  2.5,
                  4_000,
                  150,
                  620,
                  700,
                  1_500,
                  "600ms",
                  20_000,
                  0,
                  0,
                  0)),
          "kubectl create ...");

  private static final FailoverRuns.Result FAILOVER =
      new FailoverRuns.Result(
          "leaseDuration 2s",
          3_000,
          IntStream.rangeClosed(1, 20)
              .mapToObj(
                  i ->
                      new FailoverRuns.Run(
                          i, "mumbai", "singapore", 3_000 + i * 100, 2_000, 9_000, 3_000, 40))
              .toList(),
          50_000,
          0,
          0,
          0,
          "20 outages");

  private static final List<JmhFigure> JMH =
      List.of(
          new JmhFigure("hitPath", "avgt", 180.5, 3.2, "ns/op"),
          new JmhFigure("missWithoutEntry", "avgt", 45.1, Double.NaN, "us/op"));

  @Test
  void judgesEveryGoal() {
    List<BenchReport.Goal> goals =
        Goals.judge(PROXY, JMH, ZIPF, CRDT, CONVERGENCE, REHOMING, FAILOVER);

    assertThat(goals)
        .extracting(BenchReport.Goal::status)
        .containsExactly(
            Status.MISSED, // 450k vs 500k requests/s
            Status.MISSED, // +1,100 µs p99
            Status.MET, // 180 ns
            Status.MISSED, // 85% hits
            Status.MISSED, // 0.15 calls
            Status.MET, // 450 MiB peak
            Status.MISSED, // 300,000 increments/s
            Status.MET, // p99 120 ms, none lost
            Status.MET, // RTO p99 5.0 s over 20 runs
            Status.MISSED); // 4,000 keys/s, but p99 620 ms
    assertThat(goals.get(8).measured()).startsWith("p99 5.00 s over 20 runs (p50 4.00 s");
    assertThat(goals.get(9).measured())
        .isEqualTo(
            "4,000 keys/s (10,000 keys at rate 20,000); per-key unavailability p99 620 ms (worst"
                + " move); a move did not complete cleanly");
    assertThat(goals.get(0).measured()).startsWith("0.90×");
    assertThat(goals.get(1).measured()).startsWith("+1,100 µs");
  }

  @Test
  void partsNotRunAreNotMeasured() {
    assertThat(Goals.judge(null, List.of(), null, null, null, null, null))
        .extracting(BenchReport.Goal::status)
        .containsOnly(Status.NOT_MEASURED);
  }

  @Test
  void jmhScoresInAnyUnitReadAsNanoseconds() {
    assertThat(new JmhFigure("x", "avgt", 2.5, 0, "us/op").nanos()).isEqualTo(2_500);
    assertThat(new JmhFigure("x", "thrpt", 2.5, 0, "ops/s").nanos()).isNaN();
  }

  @Test
  void markdownHasTheMachineTablesAndTheBusyWarning() {
    BenchReport report = report("3.50 2.00 1.00");
    String md = ReportMarkdown.render(report);

    assertThat(md)
        .contains("## Machine", "| CPU | Test CPU |", "| cores | 2 |", "| kernel | 6.1.0 |")
        .contains("bench/run.sh")
        .contains(
            "| front-door <local> & co | 45,000 | 600 | 1,700 | 3,000 | 6,000 | +300 / +1,100 / +2,100 | 0 |")
        .contains("front-door <local> & co / nginx: **0.90×** requests/s")
        .contains("| hitPath | avgt | 180.500 | 3.200 | ns/op |")
        .contains("| missWithoutEntry | avgt | 45.100 | — | us/op |")
        .contains("| hit ratio, measured | 85.00% |")
        .contains("99% needs about 8,400,000 entries")
        .contains("![Requests per second and latency per path](proxy.svg)")
        .contains("| proxy | front-door local proxying ≥ 1.0× nginx requests/s | 0.90×")
        .contains("| front-door Java API | 300,000 | 3.75× | 0.38× |")
        .contains("| front-door HTTP API | 20,000 | 0.25× | 0.03× |")
        .contains("| all three front-doors route by it | 1,500 | 9,000 | 9,000 | 9,000 |")
        .contains(
            "| CRDT | convergence p99 ≤ 250 ms across three regions, 0 lost | p99 120.0 ms; 0 of"
                + " 50,000")
        .contains("| convergence p50 / p99 / max | 60.0 / 120.0 / 120.0 ms |")
        .contains("| replication bytes shipped per increment (to both peers) | 3.25 |")
        .contains(
            "| frankfurt → mumbai (RolledBack) | 10,000 of 10,000 | 20,000 | 20 × 500 | 2.50 | 4,000"
                + " | 150 / 620 / 700 | 1,500 | 600ms |")
        .contains("* frankfurt → mumbai ended RolledBack: batch 3 could not switch")
        .contains("| 20 | 4.00 | 4.80 | 5.00 | 5.00 | 50,000 acknowledged, 0 lost")
        .contains("| 20 | mumbai → singapore | 5.00 | 2.00 | 9.00 | 3.00 | 40 |")
        .contains("**The machine was busy** (load average 3.50 at the start, 3.50 at the end")
        .doesNotContain("Unstable machine");
    assertThat(ReportMarkdown.render(report("0.20 0.10 0.00"))).doesNotContain("machine was busy");
  }

  @Test
  void saysWhenTheTwoDirectRunsDisagree() {
    List<ProxyOverhead.Case> cases = new java.util.ArrayList<>(PROXY.cases());
    cases.add(
        new ProxyOverhead.Case(
            "direct-again", "direct, again", "wrk f", null, wrk(450_000, 300, 600, 900)));
    BenchReport report = report("0.20 0.10 0.00");
    BenchReport unstable =
        new BenchReport(
            report.started(),
            report.seconds(),
            report.machine(),
            report.loadBefore(),
            report.loadAfter(),
            report.rerun(),
            new ProxyOverhead.Result(PROXY.settings(), cases, PROXY.servers(), PROXY.versions()),
            report.jmhCommand(),
            report.jmh(),
            report.zipfCommand(),
            report.zipf(),
            report.crdt(),
            report.convergence(),
            report.publication(),
            report.rehoming(),
            report.failover(),
            report.goals());

    assertThat(ReportMarkdown.render(unstable))
        .contains("**Unstable machine:** the two direct runs, first and last, differ by 50%");
    assertThat(
            Goals.judge(unstable.proxy(), JMH, ZIPF, CRDT, CONVERGENCE, REHOMING, FAILOVER)
                .subList(0, 2))
        .extracting(BenchReport.Goal::status)
        .containsOnly(Status.INCONCLUSIVE);
  }

  @Test
  void chartIsWellFormedSvgNamingEveryCase() throws Exception {
    String svg = ProxyChart.svg(PROXY.cases());

    var document =
        DocumentBuilderFactory.newInstance()
            .newDocumentBuilder()
            .parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
    assertThat(document.getDocumentElement().getTagName()).isEqualTo("svg");
    assertThat(svg).contains("front-door &lt;local&gt; &amp; co", "HAProxy", "p99.9");
    assertThat(document.getElementsByTagName("rect").getLength())
        .isGreaterThanOrEqualTo(1 + 5 + 5 * 3);
  }

  @Test
  void niceStepsAreOneTwoOrFiveTimesAPowerOfTen() {
    assertThat(ProxyChart.niceStep(0.7)).isEqualTo(1.0);
    assertThat(ProxyChart.niceStep(13)).isEqualTo(20.0);
    assertThat(ProxyChart.niceStep(180_000)).isEqualTo(200_000.0);
    assertThat(ProxyChart.niceStep(300)).isEqualTo(500.0);
  }

  private static BenchReport report(String load) {
    return new BenchReport(
        "2026-11-22T02:00:00Z",
        600,
        new Machine("Test CPU", 2, 24L << 30, "6.1.0", "OpenJDK 17"),
        load,
        load,
        List.of("bench/run.sh"),
        PROXY,
        "JMH ...",
        JMH,
        "java ... ZipfRun",
        ZIPF,
        CRDT,
        CONVERGENCE,
        PUBLICATION,
        REHOMING,
        FAILOVER,
        Goals.judge(PROXY, JMH, ZIPF, CRDT, CONVERGENCE, REHOMING, FAILOVER));
  }
}
