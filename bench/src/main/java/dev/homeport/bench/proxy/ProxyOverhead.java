package dev.homeport.bench.proxy;

import dev.homeport.bench.Processes;
import dev.homeport.contract.BucketAssignment;
import dev.homeport.contract.ContractJson;
import dev.homeport.contract.KeyHash;
import dev.homeport.contract.RedisKeys;
import dev.homeport.contract.RegionRoute;
import dev.homeport.contract.RoutingTable;
import dev.homeport.crds.v1alpha1.status.RegionPhase;
import dev.homeport.testkit.RedisServer;
import io.lettuce.core.RedisClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Part 1 of the benchmarks: one backend reached directly, through nginx, through HAProxy, through a
 * Homeport front-door whose region is the key's home, and through a front-door that proxies to the
 * home region's front-door. Every server runs as its own process pinned to one core; wrk, pinned to
 * the other, drives every case with the same threads, connections and duration, after a warm-up run
 * of the same shape.
 */
public final class ProxyOverhead {

  private static final Logger log = LoggerFactory.getLogger(ProxyOverhead.class);

  /** Buckets of the benchmark's routing table: 0-7 homed in region a, 8-15 in region b. */
  private static final int BUCKETS = 16;

  private static final String PATH = "/orders/1";
  private static final String INTERNAL_SECRET = "bench-internal-secret-0001";
  private static final String ADMIN_TOKEN = "bench-admin-token-000001";

  /**
   * How every case is driven and where things run.
   *
   * @param threads wrk threads
   * @param connections wrk connections (kept open)
   * @param warmupSeconds the discarded run before each measured one
   * @param durationSeconds the measured run
   * @param serverCore the core every server (backend, proxies, front-doors) is pinned to
   * @param loadCore the core wrk is pinned to
   */
  public record Settings(
      int threads,
      int connections,
      int warmupSeconds,
      int durationSeconds,
      int serverCore,
      int loadCore) {}

  /**
   * One case's measured run.
   *
   * @param id short name (direct, nginx, haproxy, frontdoor-local, frontdoor-cross)
   * @param name what the report calls it
   * @param command the exact wrk command of the measured run
   * @param served the X-Homeport-Served header of a check request (front-door cases), else null
   */
  public record Case(String id, String name, String command, String served, WrkResult wrk) {}

  /**
   * @param servers the exact commands the servers ran with
   * @param versions nginx, HAProxy and wrk as they name themselves
   */
  public record Result(
      Settings settings, List<Case> cases, List<String> servers, List<String> versions) {

    public Case get(String id) {
      return cases.stream().filter(c -> c.id().equals(id)).findFirst().orElse(null);
    }
  }

  private final Path root;
  private final Path workDir;
  private final Settings settings;
  private final List<String> servers = new ArrayList<>();

  /**
   * @param root the Homeport checkout (for the front-door's jar)
   * @param workDir where configuration files and logs go
   */
  public ProxyOverhead(Path root, Path workDir, Settings settings) {
    this.root = root;
    this.workDir = workDir;
    this.settings = settings;
  }

  public Result run() throws Exception {
    Files.createDirectories(workDir);
    Path frontDoorJar = root.resolve("frontdoor/target/homeport-frontdoor.jar");
    if (!Files.isRegularFile(frontDoorJar)) {
      throw new IllegalStateException(
          frontDoorJar + " is missing: build it with mvn -B package -pl frontdoor -am -DskipTests");
    }
    Path script = workDir.resolve("wrk-summary.lua");
    try (InputStream lua = ProxyOverhead.class.getResourceAsStream("wrk-summary.lua")) {
      Files.write(script, lua.readAllBytes());
    }
    String localKey = keyIn(0, BUCKETS / 2);
    String remoteKey = keyIn(BUCKETS / 2, BUCKETS);

    List<Case> cases = new ArrayList<>();
    try (Processes processes = new Processes(workDir.resolve("logs"));
        RedisServer redisA = RedisServer.start();
        RedisServer redisB = RedisServer.start()) {
      int backendPort = Processes.freePort();
      Process backend =
          server(
              processes,
              "backend",
              List.of(
                  "java",
                  "-cp",
                  jarOf(ProxyOverhead.class).toString(),
                  Backend.class.getName(),
                  Integer.toString(backendPort)));
      processes.awaitHttp(
          "backend", backend, "http://127.0.0.1:" + backendPort + "/", Duration.ofSeconds(30));

      int nginxPort = Processes.freePort();
      Path nginxConf = nginx(nginxPort, backendPort);
      Process nginx =
          server(
              processes,
              "nginx",
              List.of("nginx", "-p", workDir.toString(), "-c", nginxConf.toString()));
      processes.awaitHttp(
          "nginx", nginx, "http://127.0.0.1:" + nginxPort + "/", Duration.ofSeconds(15));

      int haproxyPort = Processes.freePort();
      Path haproxyConf = haproxy(haproxyPort, backendPort);
      Process haproxy =
          server(processes, "haproxy", List.of("haproxy", "-db", "-f", haproxyConf.toString()));
      processes.awaitHttp(
          "haproxy", haproxy, "http://127.0.0.1:" + haproxyPort + "/", Duration.ofSeconds(15));

      int[] publicPorts = {Processes.freePort(), Processes.freePort()};
      int[] adminPorts = {Processes.freePort(), Processes.freePort()};
      RoutingTable table =
          new RoutingTable(
              1,
              BUCKETS,
              Map.of(
                  "a",
                  new RegionRoute(
                      RegionPhase.Active, null, "http://127.0.0.1:" + publicPorts[0], "bench"),
                  "b",
                  new RegionRoute(
                      RegionPhase.Active, null, "http://127.0.0.1:" + publicPorts[1], "bench")),
              List.of(
                  new BucketAssignment(0, BUCKETS / 2 - 1, "a"),
                  new BucketAssignment(BUCKETS / 2, BUCKETS - 1, "b")),
              Instant.now().toString());
      seed(redisA, table);
      seed(redisB, table);
      List<Process> frontDoors = new ArrayList<>();
      String[] regions = {"a", "b"};
      RedisServer[] redis = {redisA, redisB};
      for (int i = 0; i < 2; i++) {
        Path config =
            frontDoorConfig(regions[i], redis[i], backendPort, publicPorts[i], adminPorts[i]);
        frontDoors.add(
            server(
                processes,
                "frontdoor-" + regions[i],
                List.of("java", "-jar", frontDoorJar.toString(), "--config", config.toString())));
      }
      for (int i = 0; i < 2; i++) {
        processes.awaitHttp(
            "frontdoor-" + regions[i],
            frontDoors.get(i),
            "http://127.0.0.1:" + adminPorts[i] + "/readyz",
            Duration.ofSeconds(60));
      }

      cases.add(measure("direct", "direct to the backend", backendPort, localKey, script, null));
      cases.add(
          measure(
              "nginx", "nginx (1 worker, keepalive upstream)", nginxPort, localKey, script, null));
      cases.add(measure("haproxy", "HAProxy (1 thread)", haproxyPort, localKey, script, null));
      cases.add(
          measure(
              "frontdoor-local",
              "front-door, key homed here",
              publicPorts[0],
              localKey,
              script,
              "local"));
      cases.add(
          measure(
              "frontdoor-cross",
              "front-door A → front-door B (home)",
              publicPorts[0],
              remoteKey,
              script,
              "proxied"));
      cases.add(
          measure(
              "direct-again", "direct to the backend, again", backendPort, localKey, script, null));
    }
    return new Result(settings, cases, servers, versions());
  }

  private Process server(Processes processes, String name, List<String> command) {
    List<String> pinned =
        new ArrayList<>(List.of("taskset", "-c", Integer.toString(settings.serverCore())));
    pinned.addAll(command);
    servers.add(Processes.shell(pinned));
    log.info("Starting {}", name);
    return processes.start(name, pinned);
  }

  private Case measure(
      String id, String name, int port, String key, Path script, String expectServed)
      throws Exception {
    String url = "http://127.0.0.1:" + port + PATH;
    String served = check(url, key, expectServed);
    List<String> warmup = wrk(settings.warmupSeconds(), url, key, script);
    log.info("{}: warm-up {} s", name, settings.warmupSeconds());
    WrkResult.parse(run(warmup));
    List<String> command = wrk(settings.durationSeconds(), url, key, script);
    log.info("{}: measuring {} s", name, settings.durationSeconds());
    WrkResult result = WrkResult.parse(run(command));
    log.info(
        "{}: {} requests/s, p50 {} µs, p99 {} µs, p99.9 {} µs, {} errors",
        name,
        Math.round(result.requestsPerSecond()),
        result.p50Micros(),
        result.p99Micros(),
        result.p999Micros(),
        result.errors());
    return new Case(id, name, Processes.shell(command), served, result);
  }

  /** One request before the load: it must succeed and, through a front-door, be served as meant. */
  private static String check(String url, String key, String expectServed) throws Exception {
    HttpResponse<String> response =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .build()
            .send(
                HttpRequest.newBuilder(URI.create(url)).header("X-User-Id", key).build(),
                HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200 || !response.body().equals(Backend.BODY)) {
      throw new IllegalStateException(
          url + " answered " + response.statusCode() + ": " + response.body());
    }
    String served = response.headers().firstValue("X-Homeport-Served").orElse(null);
    if (expectServed != null && !expectServed.equals(served)) {
      throw new IllegalStateException(
          url + " served key " + key + " as " + served + ", not " + expectServed);
    }
    return served;
  }

  private List<String> wrk(int seconds, String url, String key, Path script) {
    return List.of(
        "taskset",
        "-c",
        Integer.toString(settings.loadCore()),
        "wrk",
        "-t" + settings.threads(),
        "-c" + settings.connections(),
        "-d" + seconds + "s",
        "--timeout",
        "5s",
        "--latency",
        "-s",
        script.toString(),
        "-H",
        "X-User-Id: " + key,
        url);
  }

  private static String run(List<String> command) throws Exception {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    int exit = process.waitFor();
    if (exit != 0) {
      throw new IllegalStateException(
          String.join(" ", command) + " exited with " + exit + ":\n" + output);
    }
    return output;
  }

  /** The first key of the form user-N whose bucket is in [from, to). */
  static String keyIn(int from, int to) {
    for (int i = 1; ; i++) {
      String key = "user-" + i;
      int bucket = KeyHash.bucket(key, BUCKETS);
      if (bucket >= from && bucket < to) {
        return key;
      }
    }
  }

  private static void seed(RedisServer redis, RoutingTable table) {
    RedisClient client = RedisClient.create(redis.uri());
    try (var connection = client.connect()) {
      connection.sync().set(RedisKeys.ROUTING_TABLE, ContractJson.write(table));
    } finally {
      client.shutdown();
    }
  }

  private Path frontDoorConfig(
      String region, RedisServer redis, int backendPort, int publicPort, int adminPort)
      throws IOException {
    Path file = workDir.resolve("frontdoor-" + region + ".yaml");
    Files.writeString(
        file,
        """
        # Front-door of benchmark region %s: one route, homed by the routing key's bucket.
        region: %s
        redis: {uri: %s}
        backend: http://127.0.0.1:%d
        listen: {host: 127.0.0.1, public: %d, admin: %d}
        routingKey: {from: header, name: X-User-Id}
        routes:
          - {name: orders, path: /orders, policy: home, onHomeDown: reject, noKey: reject}
        lease: {required: false}
        timeouts: {drain: 1s}
        secrets: {internal: %s, admin: %s}
        """
            .formatted(
                region,
                region,
                redis.uri(),
                backendPort,
                publicPort,
                adminPort,
                INTERNAL_SECRET,
                ADMIN_TOKEN));
    return file;
  }

  private Path nginx(int port, int backendPort) throws IOException {
    Path file = workDir.resolve("nginx.conf");
    Path temp = workDir.resolve("nginx-temp");
    Files.createDirectories(temp);
    Files.writeString(
        file,
        """
        # One worker, keep-alive connections to the backend, no access log: nginx at its fastest
        # as a plain reverse proxy.
        daemon off;
        master_process on;
        worker_processes 1;
        pid %1$s/nginx.pid;
        error_log %1$s/logs/nginx-error.log warn;
        events { worker_connections 4096; }
        http {
          access_log off;
          client_body_temp_path %2$s/body;
          proxy_temp_path %2$s/proxy;
          fastcgi_temp_path %2$s/fastcgi;
          uwsgi_temp_path %2$s/uwsgi;
          scgi_temp_path %2$s/scgi;
          upstream backend {
            server 127.0.0.1:%3$d;
            keepalive 256;
          }
          server {
            listen 127.0.0.1:%4$d;
            location / {
              proxy_pass http://backend;
              proxy_http_version 1.1;
              proxy_set_header Connection "";
            }
          }
        }
        """
            .formatted(workDir, temp, backendPort, port));
    return file;
  }

  private Path haproxy(int port, int backendPort) throws IOException {
    Path file = workDir.resolve("haproxy.cfg");
    Files.writeString(
        file,
        """
        # One thread, keep-alive on both sides, connections to the backend reused.
        global
          nbthread 1
          maxconn 4096
        defaults
          mode http
          option http-keep-alive
          http-reuse always
          timeout connect 1s
          timeout client 30s
          timeout server 30s
        frontend bench
          bind 127.0.0.1:%d
          default_backend backend
        backend backend
          server backend 127.0.0.1:%d
        """
            .formatted(port, backendPort));
    return file;
  }

  private static List<String> versions() {
    List<String> versions = new ArrayList<>();
    for (List<String> command :
        List.of(List.of("nginx", "-v"), List.of("haproxy", "-v"), List.of("wrk", "-v"))) {
      String out = Processes.output(command).lines().findFirst().orElse("").strip();
      versions.add(out.isEmpty() ? command.get(0) + ": unknown" : out);
    }
    return versions;
  }

  /** The jar (or classes folder) a class was loaded from. */
  public static Path jarOf(Class<?> type) {
    try {
      return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (Exception e) {
      throw new UncheckedIOException(new IOException("Cannot locate the jar of " + type, e));
    }
  }
}
