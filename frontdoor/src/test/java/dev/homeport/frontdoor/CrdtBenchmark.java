package dev.homeport.frontdoor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.homeport.frontdoor.bench.ClosedLoops;
import dev.homeport.frontdoor.crdt.CounterStore;
import dev.homeport.frontdoor.crdt.CrdtService;
import dev.homeport.testkit.RedisServer;
import io.lettuce.core.api.sync.RedisCommands;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

/**
 * CRDT counter throughput through the Java API and the HTTP API of one front-door, beside {@code
 * redis-benchmark} HINCRBY on the same Redis, and convergence time across three regions. Prints
 * figures; asserts only that nothing failed and that every region ends with the exact totals.
 *
 * <p>Run: {@code mvn -B -pl frontdoor -am verify -Pbench -Dit.test=CrdtBenchmark
 * -Dfailsafe.failIfNoSpecifiedTests=false -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false}
 */
class CrdtBenchmark {

  private static final Duration WARMUP = Duration.ofSeconds(2);
  private static final Duration MEASURE = Duration.ofSeconds(5);
  private static final int COUNTERS = 100;
  private static final int HTTP_CONNECTIONS = 32;
  private static final int CONVERGENCE_SAMPLES = 200;

  @Test
  void countersAgainstRedisBenchmark() throws Exception {
    StringBuilder report = new StringBuilder();
    try (ThreeRegions regions = new ThreeRegions()) {
      FrontDoor mumbai = regions.frontDoors.get("mumbai");
      RedisServer mumbaiRedis = regions.redis.get("mumbai");
      report.append(
          String.format(
              Locale.ROOT,
              "%nCRDT counters: %d cores, load generators in the same JVM (redis-benchmark a"
                  + " separate process), %ds per run after %ds warm-up, %d counters%n",
              Runtime.getRuntime().availableProcessors(),
              MEASURE.toSeconds(),
              WARMUP.toSeconds(),
              COUNTERS));
      report.append(String.format(Locale.ROOT, "%-52s %14s%n", "path", "increments/s"));

      double redisPipelined = redisBenchmark(mumbaiRedis, 16);
      double redisPlain = redisBenchmark(mumbaiRedis, 1);
      line(report, "redis-benchmark HINCRBY, 32 clients, pipeline 16", redisPipelined);
      line(report, "redis-benchmark HINCRBY, 32 clients, no pipeline", redisPlain);

      RedisCommands<String, String> redis = regions.connections.get("mumbai").sync();
      long hincrbyBefore = hincrbyCalls(redis);
      long bytesBefore = replicationBytes(regions, "mumbai");
      javaApi(mumbai.crdt(), WARMUP);
      long javaCount = javaApi(mumbai.crdt(), MEASURE);
      double javaRate = javaCount / (double) MEASURE.toSeconds();
      line(report, "front-door Java API (CrdtService.increment)", javaRate);

      Histogram httpLatency = new Histogram(60_000_000_000L, 3);
      httpApi(regions, "mumbai", WARMUP, new Histogram(3));
      long httpCount = httpApi(regions, "mumbai", MEASURE, httpLatency);
      double httpRate = httpCount / (double) MEASURE.toSeconds();
      line(report, "front-door HTTP API, " + HTTP_CONNECTIONS + " connections", httpRate);

      // Let replication catch up, then check every region holds the exact totals.
      long expected = totalOf(regions, "mumbai");
      await()
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(20))
          .until(() -> allRegionsHold(regions, expected));
      long increments = expected;
      long hincrbys = hincrbyCalls(redis) - hincrbyBefore;
      long bytes = replicationBytes(regions, "mumbai") - bytesBefore;

      report.append(
          String.format(
              Locale.ROOT,
              "HTTP API latency (includes waiting for the increment's batch to be in Redis): p50 %.0f µs, p99 %.0f µs%n",
              httpLatency.getValueAtPercentile(50) / 1e3,
              httpLatency.getValueAtPercentile(99) / 1e3));
      report.append(
          String.format(
              Locale.ROOT,
              "Java API / redis-benchmark pipelined: %.2f; HTTP API / redis-benchmark"
                  + " pipelined: %.2f%n",
              javaRate / redisPipelined,
              httpRate / redisPipelined));
      report.append(
          String.format(
              Locale.ROOT,
              "batching: %,d increments became %,d HINCRBY (%.1f increments per command);"
                  + " replication %,d bytes to 2 peers = %.3f bytes per increment%n",
              increments,
              hincrbys,
              increments / (double) Math.max(1, hincrbys),
              bytes,
              bytes / (double) Math.max(1, increments)));

      Histogram convergence = convergence(regions);
      report.append(
          String.format(
              Locale.ROOT,
              "convergence across 3 regions (increment acknowledged in one → visible in both"
                  + " others' Redis), %d samples, default crdt settings: p50 %.1f ms, p99 %.1f"
                  + " ms, max %.1f ms%n",
              CONVERGENCE_SAMPLES,
              convergence.getValueAtPercentile(50) / 1e6,
              convergence.getValueAtPercentile(99) / 1e6,
              convergence.getMaxValue() / 1e6));
    }
    System.out.print(report);
  }

  private static void line(StringBuilder report, String path, double rate) {
    report.append(String.format(Locale.ROOT, "%-52s %,14.0f%n", path, rate));
  }

  /** HINCRBY throughput of redis-benchmark against the region's Redis. */
  private static double redisBenchmark(RedisServer redis, int pipeline) throws Exception {
    java.nio.file.Path benchmark = RedisServer.executable().resolveSibling("redis-benchmark");
    String executable =
        java.nio.file.Files.isExecutable(benchmark) ? benchmark.toString() : "redis-benchmark";
    Process process =
        new ProcessBuilder(
                executable,
                "-h",
                "127.0.0.1",
                "-p",
                Integer.toString(redis.port()),
                "-c",
                "32",
                "-n",
                pipeline > 1 ? "2000000" : "300000",
                "-P",
                Integer.toString(pipeline),
                "-q",
                "HINCRBY",
                "{homeport:counter:redis-benchmark}",
                "mumbai:p",
                "1")
            .redirectErrorStream(true)
            .start();
    String output = new String(process.getInputStream().readAllBytes());
    assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
    Matcher rate = Pattern.compile("([0-9.]+) requests per second").matcher(output);
    assertThat(rate.find()).as(output).isTrue();
    return Double.parseDouble(rate.group(1));
  }

  /** Two threads incrementing through the Java API, at most 20,000 unanswered each. */
  private static long javaApi(CrdtService crdt, Duration length) throws Exception {
    long deadline = System.nanoTime() + length.toNanos();
    AtomicLong acknowledged = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 2; t++) {
      int offset = t;
      Thread thread =
          new Thread(
              () -> {
                Semaphore window = new Semaphore(20_000);
                int i = offset;
                while (System.nanoTime() < deadline) {
                  window.acquireUninterruptibly();
                  crdt.increment("java-" + (i++ % COUNTERS), 1)
                      .whenComplete(
                          (state, error) -> {
                            if (error == null) {
                              acknowledged.incrementAndGet();
                            } else {
                              failed.incrementAndGet();
                            }
                            window.release();
                          });
                }
                window.acquireUninterruptibly(20_000);
              });
      thread.start();
      threads.add(thread);
    }
    for (Thread thread : threads) {
      thread.join();
    }
    assertThat(failed.get()).isZero();
    return acknowledged.get();
  }

  /** HTTP_CONNECTIONS closed loops of {@code POST /v1/counters/{name}:increment}. */
  private static long httpApi(
      ThreeRegions regions, String region, Duration length, Histogram latency) throws Exception {
    HttpClientAgent client =
        regions
            .vertx
            .httpClientBuilder()
            .with(new HttpClientOptions().setKeepAlive(true))
            .with(new PoolOptions().setHttp1MaxSize(HTTP_CONNECTIONS))
            .build();
    int port = regions.frontDoors.get(region).publicPort();
    ClosedLoops.Counts counts =
        ClosedLoops.drive(
            client,
            HTTP_CONNECTIONS,
            length,
            i ->
                new RequestOptions()
                    .setMethod(HttpMethod.POST)
                    .setHost("127.0.0.1")
                    .setPort(port)
                    .setURI("/v1/counters/http-" + (i % COUNTERS) + ":increment"),
            "{\"delta\": 1}",
            latency);
    client.close().await();
    assertThat(counts.errors()).isZero();
    return counts.ok();
  }

  /** The sum of every benchmark counter in one region's Redis. */
  private static long totalOf(ThreeRegions regions, String region) {
    RedisCommands<String, String> redis = regions.connections.get(region).sync();
    long total = 0;
    for (int i = 0; i < COUNTERS; i++) {
      for (String prefix : List.of("java-", "http-")) {
        String count = redis.hget(CounterStore.key(prefix + i), "mumbai:p");
        total += count == null ? 0 : Long.parseLong(count);
      }
    }
    return total;
  }

  private static boolean allRegionsHold(ThreeRegions regions, long expected) {
    for (String region : ThreeRegions.REGIONS) {
      if (totalOf(regions, region) != expected) {
        return false;
      }
    }
    return true;
  }

  private static long hincrbyCalls(RedisCommands<String, String> redis) {
    Matcher calls =
        Pattern.compile("cmdstat_hincrby:calls=([0-9]+)").matcher(redis.info("commandstats"));
    return calls.find() ? Long.parseLong(calls.group(1)) : 0;
  }

  /** Bytes the region shipped to its peers so far, from its Prometheus endpoint. */
  private static long replicationBytes(ThreeRegions regions, String region) throws Exception {
    HttpResponse<String> metrics =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(regions.adminUrl(region) + "/metrics"))
                    .header("Authorization", "Bearer " + ThreeRegions.ADMIN_TOKEN)
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    Matcher bytes =
        Pattern.compile("homeport_crdt_replication_bytes_total\\{[^}]*\\} ([0-9.E]+)")
            .matcher(metrics.body());
    double total = 0;
    while (bytes.find()) {
      total += Double.parseDouble(bytes.group(1));
    }
    return (long) total;
  }

  /**
   * Time from an increment acknowledged by one region to its slot being visible in both other
   * regions' Redis, sampled one increment at a time, entering each region in turn.
   */
  private static Histogram convergence(ThreeRegions regions) throws Exception {
    Histogram histogram = new Histogram(60_000_000_000L, 3);
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    for (int i = 0; i < CONVERGENCE_SAMPLES; i++) {
      String region = ThreeRegions.REGIONS.get(i % 3);
      String counter = "convergence-" + i;
      HttpResponse<String> response =
          http.send(
              HttpRequest.newBuilder(
                      URI.create(
                          regions.publicUrl(region) + "/v1/counters/" + counter + ":increment"))
                  .POST(HttpRequest.BodyPublishers.noBody())
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      long acknowledged = System.nanoTime();
      assertThat(response.statusCode()).isEqualTo(200);
      for (String other : ThreeRegions.REGIONS) {
        if (other.equals(region)) {
          continue;
        }
        RedisCommands<String, String> redis = regions.connections.get(other).sync();
        await()
            .atMost(Duration.ofSeconds(30))
            .pollDelay(Duration.ZERO)
            .pollInterval(Duration.ofNanos(200_000))
            .until(() -> redis.hget(CounterStore.key(counter), region + ":p") != null);
      }
      histogram.recordValue(System.nanoTime() - acknowledged);
    }
    return histogram;
  }
}
