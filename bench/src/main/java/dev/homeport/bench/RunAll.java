package dev.homeport.bench;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.homeport.bench.controlplane.FailoverRuns;
import dev.homeport.bench.controlplane.Rehoming;
import dev.homeport.bench.controlplane.TablePublication;
import dev.homeport.bench.crdt.CrdtConvergence;
import dev.homeport.bench.crdt.CrdtThroughput;
import dev.homeport.bench.proxy.ProxyOverhead;
import dev.homeport.bench.report.BenchReport;
import dev.homeport.bench.report.BenchReport.JmhFigure;
import dev.homeport.bench.report.Goals;
import dev.homeport.bench.report.ProxyChart;
import dev.homeport.bench.report.ReportMarkdown;
import dev.homeport.bench.resolution.HomeResolutionBenchmark;
import dev.homeport.bench.resolution.ZipfRun;
import dev.homeport.e2e.LocalSystem;
import dev.homeport.testkit.ProjectPaths;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Runs every benchmark this module has and writes the report: {@code
 * bench/target/report/benchmarks.md}, {@code benchmarks.json} and {@code proxy.svg}. Started by
 * {@code bench/run.sh}, which builds what it needs first.
 */
@Command(
    name = "bench/run.sh",
    mixinStandardHelpOptions = true,
    description =
        "Runs the Homeport benchmarks (proxy overhead, home resolution, CRDT counters, routing"
            + " table publication, re-homing, failover RTO) and writes"
            + " bench/target/report/benchmarks.{md,json}.")
public final class RunAll implements Callable<Integer> {

  private static final Logger log = LoggerFactory.getLogger(RunAll.class);

  /** The JSON report's mapper; computed figures it carries (requestsPerSecond …) are not read. */
  private static final ObjectMapper JSON =
      JsonMapper.builder()
          .enable(SerializationFeature.INDENT_OUTPUT)
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .build();

  @Spec CommandSpec spec;

  @Option(
      names = "--quick",
      description =
          "Short runs (3 s per proxy case, few JMH iterations, 2M Zipf lookups) to check the"
              + " set-up; not figures to quote.")
  boolean quick;

  @Option(
      names = "--skip",
      split = ",",
      paramLabel = "PART",
      description =
          "Parts to leave out: proxy, jmh, zipf, crdt, convergence, publication, rehoming,"
              + " failover.")
  List<String> skip = new ArrayList<>();

  @Option(
      names = "--duration",
      description = "Measured seconds per proxy case (default: 30, --quick: 3).")
  Integer duration;

  @Option(
      names = "--failover-runs",
      description = "Region outages timed for the RTO distribution (default: 20, --quick: 3).")
  Integer failoverRuns;

  @Option(names = "--connections", defaultValue = "32", description = "wrk connections.")
  int connections;

  @Option(
      names = "--from-json",
      paramLabel = "FILE",
      description =
          "Run nothing: render the report again from an earlier run's benchmarks.json (goals"
              + " judged again).")
  Path fromJson;

  @Option(
      names = "--out",
      description = "Report folder (default: bench/target/report under the checkout).")
  Path out;

  public static void main(String[] args) {
    System.exit(new CommandLine(new RunAll()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    Path root = ProjectPaths.root();
    Path report = out != null ? out : root.resolve("bench/target/report");
    Files.createDirectories(report);
    if (fromJson != null) {
      // Only the rendering: the figures of an earlier run, the goals judged again.
      BenchReport earlier = JSON.readValue(fromJson.toFile(), BenchReport.class);
      write(
          report,
          new BenchReport(
              earlier.started(),
              earlier.seconds(),
              earlier.machine(),
              earlier.loadBefore(),
              earlier.loadAfter(),
              earlier.rerun(),
              earlier.proxy(),
              earlier.jmhCommand(),
              earlier.jmh(),
              earlier.zipfCommand(),
              earlier.zipf(),
              earlier.crdt(),
              earlier.convergence(),
              earlier.publication(),
              earlier.rehoming(),
              earlier.failover(),
              Goals.judge(
                  earlier.proxy(),
                  earlier.jmh(),
                  earlier.zipf(),
                  earlier.crdt(),
                  earlier.convergence(),
                  earlier.rehoming(),
                  earlier.failover())));
      return 0;
    }
    Instant started = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    long t0 = System.nanoTime();
    Machine machine = Machine.current();
    String loadBefore = Machine.loadAverage();
    log.info("Machine: {}; load average {}", machine, loadBefore);

    ProxyOverhead.Result proxy = null;
    if (!skip.contains("proxy")) {
      int seconds = duration != null ? duration : quick ? 3 : 30;
      proxy =
          new ProxyOverhead(
                  root,
                  report.resolve("work/proxy"),
                  new ProxyOverhead.Settings(1, connections, quick ? 2 : 10, seconds, 0, 1))
              .run();
    }

    List<JmhFigure> jmh = List.of();
    int warmupIterations = quick ? 1 : 5;
    int iterations = quick ? 2 : 10;
    String jmhCommand =
        String.format(
            "JMH %s: 1 fork, 1 thread, %d warm-up and %d measured iterations of 1 s",
            HomeResolutionBenchmark.class.getSimpleName(), warmupIterations, iterations);
    if (!skip.contains("jmh")) {
      jmh = jmh(report, warmupIterations, iterations);
    }

    ZipfRun.Result zipf = null;
    long lookups = quick ? 2_000_000 : 20_000_000;
    List<String> zipfCommand =
        List.of(
            "java",
            "-Xmx384m",
            "-XX:+ExitOnOutOfMemoryError",
            "-cp",
            ProxyOverhead.jarOf(RunAll.class).toString(),
            ZipfRun.class.getName(),
            "10000000",
            "1000000",
            Long.toString(lookups),
            Long.toString(lookups),
            "100");
    if (!skip.contains("zipf")) {
      log.info("Zipf run: {}", Processes.shell(zipfCommand));
      String output = Processes.output(zipfCommand, Duration.ofMinutes(30));
      zipf = ZipfRun.parse(output);
    }

    Path frontDoorJar = root.resolve("frontdoor/target/homeport-frontdoor.jar");
    CrdtThroughput.Result crdt = null;
    if (!skip.contains("crdt")) {
      crdt =
          new CrdtThroughput(
                  report.resolve("work/crdt"), connections, quick ? 2 : 5, quick ? 3 : 10, 0, 1)
              .run(frontDoorJar);
    }
    CrdtConvergence.Result convergence = null;
    if (!skip.contains("convergence")) {
      convergence =
          new CrdtConvergence(
                  report.resolve("work/convergence"),
                  connections,
                  quick ? 2 : 5,
                  quick ? 3 : 10,
                  quick ? 30 : 200,
                  0,
                  1)
              .run(frontDoorJar);
    }
    TablePublication.Result publication = null;
    if (!skip.contains("publication")) {
      publication =
          new TablePublication(report.resolve("work/publication"), quick ? 10 : 100, 0)
              .run(frontDoorJar);
    }

    Rehoming.Result rehoming = null;
    FailoverRuns.Result failover = null;
    if (!skip.contains("rehoming") || !skip.contains("failover")) {
      // One local system for both: bringing it up costs about a minute.
      try (LocalSystem system =
          LocalSystem.start(
              LocalSystem.Options.scenario(
                  report.resolve("work/local"), LocalSystem.fastFailover()))) {
        if (!skip.contains("rehoming")) {
          rehoming =
              new Rehoming(system, report.resolve("work/rehoming")).run(Rehoming.plans(quick));
        }
        if (!skip.contains("failover")) {
          failover =
              new FailoverRuns(system, failoverRuns != null ? failoverRuns : quick ? 3 : 20).run();
        }
      }
    }

    List<String> rerun = new ArrayList<>();
    rerun.add("apt-get install -y redis-server nginx-light haproxy wrk");
    rerun.add("bash e2e/bin/setup.sh");
    List<String> run = new ArrayList<>(List.of("bench/run.sh"));
    run.addAll(spec.commandLine().getParseResult().originalArgs());
    rerun.add(Processes.shell(run));
    BenchReport result =
        new BenchReport(
            started.toString(),
            (System.nanoTime() - t0) / 1e9,
            machine,
            loadBefore,
            Machine.loadAverage(),
            rerun,
            proxy,
            jmhCommand,
            jmh,
            Processes.shell(zipfCommand),
            zipf,
            crdt,
            convergence,
            publication,
            rehoming,
            failover,
            Goals.judge(proxy, jmh, zipf, crdt, convergence, rehoming, failover));
    write(report, result);
    return 0;
  }

  /** Writes benchmarks.json, benchmarks.md and the chart, and prints the Markdown. */
  private static void write(Path report, BenchReport result) throws Exception {
    Files.writeString(
        report.resolve("benchmarks.json"),
        JSON.writeValueAsString(result) + "\n",
        StandardCharsets.UTF_8);
    String markdown = ReportMarkdown.render(result);
    Files.writeString(report.resolve("benchmarks.md"), markdown, StandardCharsets.UTF_8);
    if (result.proxy() != null) {
      Files.writeString(
          report.resolve(ReportMarkdown.CHART),
          ProxyChart.svg(result.proxy().cases()),
          StandardCharsets.UTF_8);
    }
    System.out.println(markdown);
    log.info("Report: {}", report.resolve("benchmarks.md"));
  }

  private static List<JmhFigure> jmh(Path report, int warmupIterations, int iterations)
      throws Exception {
    Options options =
        new OptionsBuilder()
            .include(HomeResolutionBenchmark.class.getName())
            .forks(1)
            .threads(1)
            .warmupIterations(warmupIterations)
            .warmupTime(TimeValue.seconds(1))
            .measurementIterations(iterations)
            .measurementTime(TimeValue.seconds(1))
            .resultFormat(ResultFormatType.JSON)
            .result(report.resolve("jmh.json").toString())
            .build();
    List<JmhFigure> figures = new ArrayList<>();
    for (RunResult run : new Runner(options).run()) {
      var primary = run.getPrimaryResult();
      String method = run.getParams().getBenchmark();
      figures.add(
          new JmhFigure(
              method.substring(method.lastIndexOf('.') + 1),
              run.getParams().getMode().shortLabel(),
              primary.getScore(),
              primary.getScoreError(),
              primary.getScoreUnit()));
    }
    return figures;
  }
}
