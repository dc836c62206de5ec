package dev.homeport.bench.crdt;

import dev.homeport.bench.Processes;
import dev.homeport.bench.proxy.ProxyOverhead;
import dev.homeport.bench.proxy.WrkResult;
import dev.homeport.contract.BucketAssignment;
import dev.homeport.contract.ContractJson;
import dev.homeport.contract.RedisKeys;
import dev.homeport.contract.RegionRoute;
import dev.homeport.contract.RoutingTable;
import dev.homeport.crds.v1alpha1.status.RegionPhase;
import dev.homeport.testkit.RedisServer;
import io.lettuce.core.RedisClient;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Part 3 of the benchmarks: CRDT counter increments per second on one region's Redis through the
 * front-door's Java API ({@link JavaApiLoad}, its own process), through its HTTP API (the
 * front-door as its own process, driven by wrk) and, as the baseline, {@code redis-benchmark}
 * HINCRBY on the same Redis, with and without pipelining. The front-door processes are pinned to
 * the server core, wrk and redis-benchmark to the load core; Redis is not pinned.
 */
public final class CrdtThroughput {

  private static final Logger log = LoggerFactory.getLogger(CrdtThroughput.class);

  /**
   * @param javaApiPerSecond increments acknowledged per second through the Java API
   * @param incrementsPerHincrby how many Java-API increments one HINCRBY carried (batching)
   * @param http the HTTP API under wrk (one request = one increment)
   * @param redisPlain redis-benchmark HINCRBY requests/s, no pipelining
   * @param redisPipelined redis-benchmark HINCRBY requests/s, 16 commands per round trip
   * @param commands the exact commands
   */
  public record Result(
      int connections,
      int seconds,
      double javaApiPerSecond,
      long javaApiFailed,
      double incrementsPerHincrby,
      WrkResult http,
      double redisPlain,
      double redisPipelined,
      List<String> commands) {}

  private final Path workDir;
  private final int connections;
  private final int warmupSeconds;
  private final int seconds;
  private final int serverCore;
  private final int loadCore;
  private final List<String> commands = new ArrayList<>();

  public CrdtThroughput(
      Path workDir, int connections, int warmupSeconds, int seconds, int serverCore, int loadCore) {
    this.workDir = workDir;
    this.connections = connections;
    this.warmupSeconds = warmupSeconds;
    this.seconds = seconds;
    this.serverCore = serverCore;
    this.loadCore = loadCore;
  }

  public Result run(Path frontDoorJar) throws Exception {
    Files.createDirectories(workDir);
    try (Processes processes = new Processes(workDir.resolve("logs"));
        RedisServer redis = RedisServer.start()) {
      seed(redis);
      String jar = ProxyOverhead.jarOf(CrdtThroughput.class).toString();

      // The Java API: its own JVM, pinned to the server core, driving itself.
      List<String> java =
          pinned(
              serverCore,
              List.of(
                  "java",
                  "-cp",
                  jar,
                  JavaApiLoad.class.getName(),
                  redis.uri(),
                  Integer.toString(warmupSeconds),
                  Integer.toString(seconds)));
      commands.add(Processes.shell(java));
      log.info("CRDT Java API: {} s", seconds);
      String output = Processes.output(java, Duration.ofSeconds(warmupSeconds + seconds + 120L));
      Map<String, String> fields = fields(output, JavaApiLoad.MARKER);
      long increments = Long.parseLong(fields.get("increments"));
      double elapsed = Double.parseDouble(fields.get("seconds"));
      long hincrbys = Long.parseLong(fields.get("hincrby"));

      // The HTTP API: the front-door process, wrk on the load core.
      int publicPort = Processes.freePort();
      int adminPort = Processes.freePort();
      Path config = workDir.resolve("frontdoor-crdt.yaml");
      Files.writeString(
          config,
          """
          region: a
          redis: {uri: %s}
          backend: http://127.0.0.1:1
          listen: {host: 127.0.0.1, public: %d, admin: %d}
          routingKey: {from: header, name: X-User-Id}
          routes:
            - {name: orders, path: /orders, policy: home, onHomeDown: reject}
          lease: {required: false}
          timeouts: {drain: 1s}
          secrets: {internal: bench-internal-secret-0001, admin: bench-admin-token-000001}
          """
              .formatted(redis.uri(), publicPort, adminPort));
      List<String> frontDoor =
          pinned(
              serverCore,
              List.of("java", "-jar", frontDoorJar.toString(), "--config", config.toString()));
      commands.add(Processes.shell(frontDoor));
      Process process = processes.start("frontdoor-crdt", frontDoor);
      processes.awaitHttp(
          "frontdoor-crdt",
          process,
          "http://127.0.0.1:" + adminPort + "/readyz",
          Duration.ofSeconds(60));
      Path script = workDir.resolve("wrk-increment.lua");
      Files.writeString(
          script,
          resource(CrdtThroughput.class, "wrk-increment.lua")
              + resource(ProxyOverhead.class, "wrk-summary.lua"));
      String url = "http://127.0.0.1:" + publicPort + "/";
      run(wrk(warmupSeconds, script, url));
      List<String> wrk = wrk(seconds, script, url);
      commands.add(Processes.shell(wrk));
      log.info("CRDT HTTP API: {} s", seconds);
      WrkResult http = WrkResult.parse(run(wrk));
      processes.stop(process);

      // The baseline: redis-benchmark on the same Redis.
      double plain = redisBenchmark(redis, 1);
      double pipelined = redisBenchmark(redis, 16);
      return new Result(
          connections,
          seconds,
          increments / elapsed,
          Long.parseLong(fields.get("failed")),
          increments / (double) Math.max(1, hincrbys),
          http,
          plain,
          pipelined,
          commands);
    }
  }

  private double redisBenchmark(RedisServer redis, int pipeline) throws Exception {
    // Enough requests for about the measured period at the rates Redis reaches on one core.
    long requests = (long) seconds * (pipeline > 1 ? 400_000 : 60_000);
    List<String> command =
        pinned(
            loadCore,
            List.of(
                "redis-benchmark",
                "-h",
                "127.0.0.1",
                "-p",
                Integer.toString(redis.port()),
                "-c",
                Integer.toString(connections),
                "-n",
                Long.toString(requests),
                "-P",
                Integer.toString(pipeline),
                "-q",
                "HINCRBY",
                "{homeport:counter:redis-benchmark}",
                "a:p",
                "1"));
    commands.add(Processes.shell(command));
    log.info("redis-benchmark HINCRBY, pipeline {}", pipeline);
    return redisBenchmarkRate(run(command));
  }

  /** The rate redis-benchmark -q prints ("HINCRBY ...: 81234.56 requests per second"). */
  static double redisBenchmarkRate(String output) {
    Matcher rate = Pattern.compile("([0-9.]+) requests per second").matcher(output);
    String last = null;
    while (rate.find()) {
      last = rate.group(1);
    }
    if (last == null) {
      throw new IllegalArgumentException("redis-benchmark printed no rate:\n" + output);
    }
    return Double.parseDouble(last);
  }

  /** The key=value fields of the line that starts with {@code marker}. */
  static Map<String, String> fields(String output, String marker) {
    String line =
        output
            .lines()
            .filter(l -> l.startsWith(marker))
            .findFirst()
            .orElseThrow(
                () -> new IllegalArgumentException("no '" + marker.strip() + "' line:\n" + output));
    Map<String, String> fields = new java.util.HashMap<>();
    Matcher field = Pattern.compile("([a-z]+)=([0-9.]+)").matcher(line);
    while (field.find()) {
      fields.put(field.group(1), field.group(2));
    }
    return fields;
  }

  private List<String> wrk(int duration, Path script, String url) {
    return pinned(
        loadCore,
        List.of(
            "wrk",
            "-t1",
            "-c" + connections,
            "-d" + duration + "s",
            "--timeout",
            "5s",
            "-s",
            script.toString(),
            url));
  }

  private static List<String> pinned(int core, List<String> command) {
    List<String> pinned = new ArrayList<>(List.of("taskset", "-c", Integer.toString(core)));
    pinned.addAll(command);
    return pinned;
  }

  private static String run(List<String> command) throws Exception {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (process.waitFor() != 0) {
      throw new IllegalStateException(Processes.shell(command) + " failed:\n" + output);
    }
    return output;
  }

  private static String resource(Class<?> owner, String name) throws Exception {
    try (InputStream in = owner.getResourceAsStream(name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private static void seed(RedisServer redis) {
    RoutingTable table =
        new RoutingTable(
            1,
            16,
            Map.of("a", new RegionRoute(RegionPhase.Active, null, "http://127.0.0.1:1", "bench")),
            List.of(new BucketAssignment(0, 15, "a")),
            Instant.now().toString());
    RedisClient client = RedisClient.create(redis.uri());
    try (var connection = client.connect()) {
      connection.sync().set(RedisKeys.ROUTING_TABLE, ContractJson.write(table));
    } finally {
      client.shutdown();
    }
  }
}
