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
import dev.homeport.bench.resolution.ZipfRun;
import java.util.Locale;

/** The report as Markdown: machine, how to rerun, goals, then each part's tables. */
public final class ReportMarkdown {

  /** The chart's file name, next to the report. */
  public static final String CHART = "proxy.svg";

  private ReportMarkdown() {}

  public static String render(BenchReport report) {
    StringBuilder md = new StringBuilder();
    md.append("# Homeport benchmarks\n\n");
    md.append(
        format(
            "Run started %s and took %.0f s. Every figure below comes from this one run, on this one"
                + " machine.\n\n",
            report.started(), report.seconds()));
    machine(md, report);
    md.append("## Rerun\n\n```\n");
    report.rerun().forEach(line -> md.append(line).append('\n'));
    md.append("```\n\n");
    goals(md, report);
    proxy(md, report.proxy());
    resolution(md, report);
    crdt(md, report.crdt());
    convergence(md, report.convergence());
    publication(md, report.publication());
    rehoming(md, report.rehoming());
    failover(md, report.failover());
    return md.toString();
  }

  /** Whether the 1-minute load average when the run began or ended exceeds half the cores. */
  static boolean busy(BenchReport report) {
    return load(report.loadBefore()) > report.machine().cores() / 2.0
        || load(report.loadAfter()) > report.machine().cores() / 2.0;
  }

  private static double load(String averages) {
    try {
      return Double.parseDouble(averages.split(" ")[0]);
    } catch (RuntimeException e) {
      return 0;
    }
  }

  private static void machine(StringBuilder md, BenchReport report) {
    md.append("## Machine\n\n| | |\n| --- | --- |\n");
    md.append(row("CPU", report.machine().cpuModel()));
    md.append(row("cores", Integer.toString(report.machine().cores())));
    md.append(row("memory", report.machine().memory()));
    md.append(row("kernel", report.machine().kernel()));
    md.append(row("Java", report.machine().java()));
    md.append(
        row(
            "load average (1, 5, 15 min)",
            "at start " + report.loadBefore() + "; at end " + report.loadAfter()));
    md.append('\n');
    if (busy(report)) {
      md.append(
          format(
              "> **The machine was busy** (load average %s at the start, %s at the end, on %d"
                  + " cores): other"
                  + " work shared the cores with the servers and the load generator, so these"
                  + " figures understate every case and their spread is wide. Ratios between"
                  + " cases measured minutes apart are not reliable either. Rerun on an idle"
                  + " machine for figures to quote.\n\n",
              report.loadBefore().split(" ")[0],
              report.loadAfter().split(" ")[0],
              report.machine().cores()));
    }
  }

  private static void goals(StringBuilder md, BenchReport report) {
    md.append("## Goals\n\n| area | goal | measured | status |\n| --- | --- | --- | --- |\n");
    for (Goal goal : report.goals()) {
      md.append(
          format(
              "| %s | %s | %s | %s |\n",
              goal.area(),
              goal.goal(),
              goal.measured(),
              switch (goal.status()) {
                case MET -> "met";
                case MISSED -> "**missed**";
                case INCONCLUSIVE -> "inconclusive (unstable machine)";
                case NOT_MEASURED -> "not measured";
              }));
    }
    md.append('\n');
  }

  private static void proxy(StringBuilder md, ProxyOverhead.Result proxy) {
    md.append("## 1. Proxy overhead\n\n");
    if (proxy == null) {
      md.append("Not run.\n\n");
      return;
    }
    ProxyOverhead.Settings s = proxy.settings();
    md.append(
        format(
            "One backend (a Vert.x server on one event loop answering a %d-byte body, its own"
                + " process) reached directly and through each proxy. Every server runs pinned to"
                + " core %d; `wrk` runs pinned to core %d with %d thread(s) and %d keep-alive"
                + " connections, %d s of warm-up (discarded) then %d s measured, per case. The"
                + " servers share their core: through a proxy, the proxy and the backend split it"
                + " (through two front-doors, three processes do), so every proxied case also"
                + " pays for the backend's share, as it would on a one-core node. wrk is"
                + " a closed-loop generator: its latencies are service times at saturation, not"
                + " latencies at a fixed offered rate. Added latency is the difference of"
                + " percentiles against the first direct run.\n\n",
            dev.homeport.bench.proxy.Backend.BODY.length(),
            s.serverCore(),
            s.loadCore(),
            s.threads(),
            s.connections(),
            s.warmupSeconds(),
            s.durationSeconds()));
    md.append("Versions: ").append(String.join("; ", proxy.versions())).append(".\n\n");
    md.append(
        "| path | requests/s | p50 µs | p99 µs | p99.9 µs | max µs | added p50 / p99 / p99.9 µs"
            + " | errors |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
    ProxyOverhead.Case direct = proxy.get("direct");
    for (ProxyOverhead.Case c : proxy.cases()) {
      WrkResult w = c.wrk();
      String added =
          direct == null || c == direct
              ? "—"
              : format(
                  "%+,d / %+,d / %+,d",
                  w.p50Micros() - direct.wrk().p50Micros(),
                  w.p99Micros() - direct.wrk().p99Micros(),
                  w.p999Micros() - direct.wrk().p999Micros());
      md.append(
          format(
              "| %s | %,.0f | %,d | %,d | %,d | %,d | %s | %,d |\n",
              c.name(),
              w.requestsPerSecond(),
              w.p50Micros(),
              w.p99Micros(),
              w.p999Micros(),
              w.maxMicros(),
              added,
              w.errors()));
    }
    md.append('\n');
    if (Goals.unstable(proxy)) {
      md.append(
          format(
              "> **Unstable machine:** the two direct runs, first and last, differ by %.0f%% in"
                  + " requests/s: the capacity the cases got changed during the run, so the"
                  + " ratios below compare unlike conditions and the proxy goals are not"
                  + " judged.\n\n",
              Goals.drift(proxy) * 100));
    }
    ratio(md, proxy, "frontdoor-local", "nginx");
    ratio(md, proxy, "frontdoor-local", "haproxy");
    ratio(md, proxy, "frontdoor-cross", "nginx");
    ratio(md, proxy, "frontdoor-cross", "haproxy");
    md.append('\n');
    md.append("![Requests per second and latency per path](").append(CHART).append(")\n\n");
    md.append("<details><summary>Exact commands</summary>\n\nServers:\n\n```\n");
    proxy.servers().forEach(line -> md.append(line).append('\n'));
    md.append("```\n\nMeasured runs (each after a warm-up run of the same command with `-d")
        .append(s.warmupSeconds())
        .append("s`):\n\n```\n");
    proxy.cases().forEach(c -> md.append(c.command()).append('\n'));
    md.append("```\n\n</details>\n\n");
  }

  private static void ratio(
      StringBuilder md, ProxyOverhead.Result proxy, String numerator, String denominator) {
    ProxyOverhead.Case a = proxy.get(numerator);
    ProxyOverhead.Case b = proxy.get(denominator);
    if (a == null || b == null) {
      return;
    }
    md.append(
        format(
            "* %s / %s: **%.2f×** requests/s, p99 %+,d µs\n",
            a.name(),
            b.name(),
            a.wrk().requestsPerSecond() / b.wrk().requestsPerSecond(),
            a.wrk().p99Micros() - b.wrk().p99Micros()));
  }

  private static void resolution(StringBuilder md, BenchReport report) {
    md.append("## 2. Home resolution\n\n");
    if (report.jmh() == null || report.jmh().isEmpty()) {
      md.append("JMH benchmarks: not run.\n\n");
    } else {
      md.append(
          "JMH, `HomeResolutionBenchmark`: the front-door's `HomeDirectory` (Caffeine) over"
              + " `RedisControlStore` on a real `redis-server`, `RequestRouter` and"
              + " `RoutingSnapshot`, one thread. `hitPath` is a request's whole home resolution"
              + " once its routing key is known: route match, cached lookup, decision."
              + " The miss benchmarks drop the key first, so each costs one Redis GET over"
              + " loopback.\n\n");
      md.append("`").append(report.jmhCommand()).append("`\n\n");
      md.append(
          "| benchmark | mode | score | ± (99.9%) | unit |\n| --- | --- | ---: | ---: | --- |\n");
      for (JmhFigure f : report.jmh()) {
        md.append(
            format(
                "| %s | %s | %,.3f | %s | %s |\n",
                f.benchmark(),
                f.mode(),
                f.score(),
                Double.isNaN(f.error()) ? "—" : format("%,.3f", f.error()),
                f.unit()));
      }
      md.append('\n');
    }
    ZipfRun.Result z = report.zipf();
    if (z == null) {
      md.append("Zipf run: not run.\n\n");
      return;
    }
    md.append(
        format(
            "Popularity run: %,d distinct keys drawn with Zipf(%.1f) popularity through a"
                + " `HomeDirectory` of %,d entries (the front-door's defaults otherwise: refresh"
                + " after 30 s, expire after 10 m) on a real `redis-server`, every %,d-th key with"
                + " a directory entry of its own; %,d lookups to warm the cache, then %,d"
                + " measured, at most 1,024 waiting for Redis at once. Its own process, so the"
                + " resident memory is the directory's (plus the JVM's).\n\n",
            z.keys(),
            z.exponent(),
            z.cacheEntries(),
            z.overrideEvery(),
            z.warmupLookups(),
            z.lookups()));
    md.append("`").append(report.zipfCommand()).append("`\n\n");
    md.append("| figure | value |\n| --- | ---: |\n");
    md.append(row("hit ratio while warming up", percent(z.warmupHitRatio())));
    md.append(row("hit ratio, measured", percent(z.hitRatio())));
    md.append(
        row(
            format(
                "best any %,d-entry cache can do (the top keys always cached)", z.cacheEntries()),
            percent(z.bestHitRatio())));
    md.append(row("entries a cache needs for 99% at best", format("%,d", z.entriesFor99())));
    md.append(row("Redis GETs during the measured lookups", format("%,d", z.redisCalls())));
    md.append(row("Redis calls per lookup", format("%.4f", z.redisCallsPerLookup())));
    md.append(row("failed lookups", format("%,d", z.errors())));
    md.append(
        row("lookups per second (one driving thread)", format("%,.0f", z.lookupsPerSecond())));
    md.append(row("entries cached at the end", format("%,d", z.cachedEntries())));
    md.append(row("resident memory at the end (VmRSS)", mib(z.rssBytes())));
    md.append(row("peak resident memory (VmHWM)", mib(z.peakRssBytes())));
    md.append(
        row(
            "heap: maximum / used at the end",
            mib(z.maxHeapBytes()) + " / " + mib(z.usedHeapBytes())));
    md.append('\n');
    if (z.bestHitRatio() >= Goals.MIN_HIT_RATIO) {
      return;
    }
    md.append(
        format(
            "Why the hit-ratio goal cannot be met as set: with Zipf(%.1f) over %,d keys the %,d"
                + " most popular keys receive only %s of requests, so no cache of %,d entries can"
                + " hit more often than that, whatever its policy; 99%% needs about %,d entries."
                + " Each miss of a key without a directory entry is a Redis read whose answer is"
                + " \"no override\", so the Redis-calls goal falls with it. Meeting both would"
                + " take answering those misses without Redis — e.g. a front-door holding the"
                + " whole directory's key set in memory (or a Bloom filter of it), as it already"
                + " does for bucket entries.\n\n",
            z.exponent(),
            z.keys(),
            z.cacheEntries(),
            percent(z.bestHitRatio()),
            z.cacheEntries(),
            z.entriesFor99()));
  }

  private static void crdt(StringBuilder md, CrdtThroughput.Result crdt) {
    md.append("## 3. CRDT counters\n\n");
    if (crdt == null) {
      md.append("Not run.\n\n");
      return;
    }
    md.append(
        format(
            "Increments of 100 counters on one region's `redis-server`, %d s measured per path."
                + " The Java API is a front-door started inside a JVM of its own (pinned to the"
                + " server core) whose two threads call `CrdtService.increment` with up to 20,000"
                + " unanswered each; an increment is acknowledged once its batch is in Redis. The"
                + " HTTP API is the front-door process under wrk (%d connections, one increment"
                + " per `POST /v1/counters/{name}:increment`). `redis-benchmark` runs HINCRBY"
                + " with the same connections on the same Redis. Redis itself is not pinned.\n\n",
            crdt.seconds(), crdt.connections()));
    md.append("| path | increments/s | vs redis-benchmark, no pipeline | vs pipelined |\n");
    md.append("| --- | ---: | ---: | ---: |\n");
    crdtRow(md, "front-door Java API", crdt.javaApiPerSecond(), crdt);
    crdtRow(md, "front-door HTTP API", crdt.http().requestsPerSecond(), crdt);
    crdtRow(md, "redis-benchmark HINCRBY, no pipeline", crdt.redisPlain(), crdt);
    crdtRow(md, "redis-benchmark HINCRBY, pipeline 16", crdt.redisPipelined(), crdt);
    md.append('\n');
    md.append(
        format(
            "Java API: %,d failed; %.1f increments per HINCRBY (the batcher's group commits)."
                + " HTTP API: p50 %,d µs, p99 %,d µs, %,d errors.\n\n",
            crdt.javaApiFailed(),
            crdt.incrementsPerHincrby(),
            crdt.http().p50Micros(),
            crdt.http().p99Micros(),
            crdt.http().errors()));
    md.append("<details><summary>Exact commands</summary>\n\n```\n");
    crdt.commands().forEach(line -> md.append(line).append('\n'));
    md.append("```\n\n</details>\n\n");
  }

  private static void crdtRow(
      StringBuilder md, String path, double rate, CrdtThroughput.Result crdt) {
    md.append(
        format(
            "| %s | %,.0f | %.2f× | %.2f× |\n",
            path, rate, rate / crdt.redisPlain(), rate / crdt.redisPipelined()));
  }

  private static void convergence(StringBuilder md, CrdtConvergence.Result c) {
    md.append("### Across three regions\n\n");
    if (c == null) {
      md.append("Not run.\n\n");
      return;
    }
    md.append(
        format(
            "Three regions, each with its own `redis-server` and front-door process (server"
                + " core), default `crdt` settings (replication every 50 ms). wrk increments 100"
                + " counters through the first region's HTTP API (a warm-up run, then the measured"
                + " one); once the regions agree, their totals are checked against the increments"
                + " acknowledged in both runs. A region may hold up to one increment per"
                + " connection more than that: requests in flight when wrk stopped are applied"
                + " but not counted by wrk. Then %d single"
                + " increments, entering each region in turn, are timed from their acknowledgement"
                + " until both other regions' Redis hold them.\n\n",
            c.convergenceMicros().length));
    md.append("| figure | value |\n| --- | ---: |\n");
    md.append(
        row("increments acknowledged (wrk, 2xx, both runs)", format("%,d", c.acknowledged())));
    md.append(row("lowest total any region holds", format("%,d", c.lowestTotal())));
    md.append(row("lost", format("%,d", c.lost())));
    md.append(
        row(
            "increments/s during the measured load",
            format("%,.0f", c.load().requestsPerSecond())));
    md.append(
        row(
            "replication bytes shipped per increment (to both peers)",
            format("%.2f", c.bytesPerIncrement())));
    long[] t = c.convergenceMicros();
    md.append(
        row(
            "convergence p50 / p99 / max",
            format(
                "%.1f / %.1f / %.1f ms",
                TablePublication.Result.percentile(t, 50) / 1e3,
                TablePublication.Result.percentile(t, 99) / 1e3,
                TablePublication.Result.percentile(t, 100) / 1e3)));
    md.append(row("samples not converged within 30 s", Integer.toString(c.unconverged())));
    md.append('\n');
  }

  private static void publication(StringBuilder md, TablePublication.Result publication) {
    md.append("## 4. Control plane: publishing a routing table\n\n");
    if (publication == null) {
      md.append("Not run.\n\n");
      return;
    }
    md.append(
        format(
            "Three regions, each with its own `redis-server` and front-door process (pinned to"
                + " the server core). After 20 publications not timed, %d new routing tables (4096 buckets, three regions), one"
                + " after another, each published by the operator's `RegionLink` into the three"
                + " Redis at once (epoch compare-and-set and the pub/sub announcement); then each"
                + " front-door's `/healthz` is polled until it routes by the new epoch.\n\n",
            publication.publications()));
    md.append(
        "| until | p50 µs | p90 µs | p99 µs | max µs |\n| --- | ---: | ---: | ---: | ---: |\n");
    long[] ack = publication.acknowledgedMicros();
    long[] adopted = publication.adoptedMicros();
    md.append(
        format(
            "| all three Redis acknowledged | %,d | %,d | %,d | %,d |\n",
            TablePublication.Result.percentile(ack, 50),
            TablePublication.Result.percentile(ack, 90),
            TablePublication.Result.percentile(ack, 99),
            TablePublication.Result.percentile(ack, 100)));
    md.append(
        format(
            "| all three front-doors route by it | %,d | %,d | %,d | %,d |\n\n",
            TablePublication.Result.percentile(adopted, 50),
            TablePublication.Result.percentile(adopted, 90),
            TablePublication.Result.percentile(adopted, 99),
            TablePublication.Result.percentile(adopted, 100)));
    md.append("<details><summary>Exact commands</summary>\n\n```\n");
    publication.commands().forEach(line -> md.append(line).append('\n'));
    md.append("```\n\n</details>\n\n");
  }

  private static void rehoming(StringBuilder md, Rehoming.Result rehoming) {
    md.append("## 4. Control plane: re-homing keys\n\n");
    if (rehoming == null) {
      md.append("Not run.\n\n");
      return;
    }
    md.append(
        "The local system (a real kube-apiserver, the operator, three regions each with its own"
            + " `redis-server`, front-door and sample application, cross-region links with the"
            + " cities' round-trip times). A `HomeAssignment` is created with kubectl while 16"
            + " clients write the moving keys through the three front-doors; a refused write is"
            + " sent again until acknowledged. Throughput is keys over the time from `kubectl"
            + " create` to Completed; per-key unavailability is a key's writes refused in a row"
            + " while its batch was fenced and drained.\n\n");
    md.append(
        "| move | keys | rate | batches | seconds | keys/s | unavailability p50 / p99 / max ms"
            + " | windows | operator's longest fence | history |\n"
            + "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |\n");
    for (Rehoming.Move m : rehoming.moves()) {
      md.append(
          format(
              "| %s → %s (%s) | %,d of %,d | %,d | %d × %d | %.2f | %,.0f | %,d / %,d / %,d | %,d |"
                  + " %s | %,d acknowledged, %d lost, %d doubled, %d split-brain |\n",
              m.from(),
              m.to(),
              m.phase(),
              m.moved(),
              m.keys(),
              m.rate(),
              m.batches(),
              m.batchSize(),
              m.seconds(),
              m.keysPerSecond(),
              m.unavailabilityP50Millis(),
              m.unavailabilityP99Millis(),
              m.unavailabilityMaxMillis(),
              m.windows(),
              m.operatorLongest(),
              m.acknowledged(),
              m.lost(),
              m.doubled(),
              m.splitBrain()));
    }
    for (Rehoming.Move m : rehoming.moves()) {
      if (!"Completed".equals(m.phase())) {
        md.append(format("* %s → %s ended %s: %s\n", m.from(), m.to(), m.phase(), m.message()));
      }
    }
    md.append('\n').append(rehoming.commands()).append(".\n\n");
  }

  private static void failover(StringBuilder md, FailoverRuns.Result failover) {
    md.append("## 4. Control plane: failover RTO\n\n");
    if (failover == null) {
      md.append("Not run.\n\n");
      return;
    }
    long[] rto = failover.rtoMillis();
    md.append(
        format(
            "The same local system, with the failover timings %s. %s. RTO: from the kill until"
                + " every write for the region's keys is acknowledged again (by its peer); it"
                + " cannot be shorter than the lease plus the skew margin, %,.0f s.\n\n",
            failover.timings(), failover.commands(), failover.floorMillis() / 1e3));
    md.append(
        "| runs | RTO p50 s | p90 s | p99 s | max s | history |\n"
            + "| ---: | ---: | ---: | ---: | ---: | --- |\n");
    md.append(
        format(
            "| %d | %.2f | %.2f | %.2f | %.2f | %,d acknowledged, %d lost, %d doubled, %d"
                + " split-brain |\n\n",
            rto.length,
            TablePublication.Result.percentile(rto, 50) / 1e3,
            TablePublication.Result.percentile(rto, 90) / 1e3,
            TablePublication.Result.percentile(rto, 99) / 1e3,
            TablePublication.Result.percentile(rto, 100) / 1e3,
            failover.acknowledged(),
            failover.lost(),
            failover.doubled(),
            failover.splitBrain()));
    md.append(
        "| run | region → peer | RTO s | status FailedOver after s | failback s | write"
            + " unavailability p99 s | writes refused |\n"
            + "| ---: | --- | ---: | ---: | ---: | ---: | ---: |\n");
    for (FailoverRuns.Run run : failover.runs()) {
      md.append(
          format(
              "| %d | %s → %s | %.2f | %.2f | %.2f | %.2f | %,d |\n",
              run.number(),
              run.region(),
              run.peer(),
              run.rtoMillis() / 1e3,
              run.failoverMillis() / 1e3,
              run.failbackMillis() / 1e3,
              run.unavailabilityP99Millis() / 1e3,
              run.refused()));
    }
    md.append('\n');
  }

  private static String row(String label, String value) {
    return "| " + label + " | " + value + " |\n";
  }

  private static String percent(double ratio) {
    return format("%.2f%%", ratio * 100);
  }

  private static String mib(long bytes) {
    return bytes < 0 ? "—" : format("%,.0f MiB", bytes / 1048576.0);
  }

  private static String format(String pattern, Object... args) {
    return String.format(Locale.ROOT, pattern, args);
  }
}
