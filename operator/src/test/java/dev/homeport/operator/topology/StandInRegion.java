package dev.homeport.operator.topology;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.homeport.contract.BucketAssignment;
import dev.homeport.contract.ContractJson;
import dev.homeport.contract.KeyHash;
import dev.homeport.contract.RedisKeys;
import dev.homeport.contract.RegionRoute;
import dev.homeport.contract.RoutingTable;
import dev.homeport.crds.v1alpha1.status.RegionPhase;
import dev.homeport.testkit.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One region for operator tests: a real redis-server, and a small HTTP server standing in for the
 * region's front-door and application. Its public port answers every request the way a front-door
 * routes it by the routing table in its Redis: the routing key's bucket gives the home region, a
 * failed-over home is served by {@code servedBy}, a fenced home without one answers 503; the
 * response names the serving region in {@code X-Homeport-Region} and the table's epoch in {@code
 * X-Homeport-Epoch}. A serving region in {@link #BROKEN} answers 502, like a backend throwing
 * errors; one in {@link #BROKEN_FOR_FAILOVER} answers 502 only to the requests on {@code /checkout}
 * it serves for a failed-over region. Its admin port answers {@code /healthz} and the application's
 * replication probe ({@code /replication}) from counters the test moves, and {@code /metrics} (with
 * the bearer token {@link #adminToken}) from a real Prometheus registry in which every request on
 * the public port is timed as a front-door times it ({@code homeport.requests} by route, policy,
 * outcome, status class and hop), with the routing epoch and the instance id.
 */
final class StandInRegion implements AutoCloseable {

  /** Regions whose backends answer 502 to whatever they serve, in every stand-in. */
  static final Set<String> BROKEN = ConcurrentHashMap.newKeySet();

  /**
   * Regions whose backends answer 502 to requests on {@code /checkout} for the keys of a region
   * they serve after its failover: a peer that cannot take on another region's users. The drill's
   * synthetic requests ({@code /orders}) still succeed.
   */
  static final Set<String> BROKEN_FOR_FAILOVER = ConcurrentHashMap.newKeySet();

  /** The admin token every stand-in's {@code /metrics} wants unless {@link #adminToken} is set. */
  static final String ADMIN_TOKEN = "stand-in-admin-token-1234";

  final String name;
  final RedisServer redis;
  final RedisClient redisClient;
  final StatefulRedisConnection<String, String> connection;
  private final HttpServer publicServer;
  private final HttpServer adminServer;
  private final ExecutorService executor = Executors.newFixedThreadPool(8);

  /** This region's write position, as its replication probe reports it. */
  final AtomicLong position = new AtomicLong();

  /** How far this region has applied each other region's writes. */
  final Map<String, AtomicLong> applied = new ConcurrentHashMap<>();

  /** Requests answered on the public port. */
  final AtomicLong requests = new AtomicLong();

  /** The bearer token this stand-in's {@code /metrics} wants. */
  volatile String adminToken = ADMIN_TOKEN;

  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Map<String, Timer> timers = new ConcurrentHashMap<>();

  private volatile boolean healthy = true;

  /**
   * The {@code spec.regions} entries of the three-region test topology (mumbai and frankfurt fail
   * over to singapore, singapore to either), addressed at {@code standIns}, starting with the
   * header of a RegionTopology named {@code name}; {@code singaporeCapacity} is singapore's
   * capacityWeight, the others' is 100.
   */
  static StringBuilder topologyYaml(
      String name, Map<String, StandInRegion> standIns, int singaporeCapacity) {
    StringBuilder yaml =
        new StringBuilder(
            """
            apiVersion: homeport.dev/v1alpha1
            kind: RegionTopology
            metadata:
              name: %s
            spec:
              regions:
            """
                .formatted(name));
    Map<String, String> residency = Map.of("mumbai", "in", "frankfurt", "eu", "singapore", "sg");
    Map<String, String> accepts =
        Map.of("mumbai", "[sg]", "frankfurt", "[sg]", "singapore", "[in, eu]");
    Map<String, String> peers =
        Map.of(
            "mumbai",
            "[singapore]",
            "frankfurt",
            "[singapore]",
            "singapore",
            "[mumbai, frankfurt]");
    for (String region : List.of("mumbai", "frankfurt", "singapore")) {
      StandInRegion standIn = standIns.get(region);
      yaml.append(
          """
              - name: %s
                residency: %s
                acceptsResidency: %s
                frontDoor:
                  url: %s
                  adminUrl: %s
                redis:
                  url: %s
                replicationProbe: %s
                failoverPeers: %s
                capacityWeight: %d
          """
              .formatted(
                  region,
                  residency.get(region),
                  accepts.get(region),
                  standIn.url(),
                  standIn.adminUrl(),
                  standIn.redis.uri(),
                  standIn.replicationProbe(),
                  peers.get(region),
                  region.equals("singapore") ? singaporeCapacity : 100));
    }
    return yaml;
  }

  /**
   * A stand-in for each of {@code names}, in order, each at write position 1000 and having applied
   * every other's writes up to 1000: replication idle and caught up.
   */
  static Map<String, StandInRegion> inSync(List<String> names) throws IOException {
    Map<String, StandInRegion> standIns = new LinkedHashMap<>();
    for (String name : names) {
      StandInRegion standIn = new StandInRegion(name);
      standIn.position.set(1000);
      for (String other : names) {
        if (!other.equals(name)) {
          standIn.applied.put(other, new AtomicLong(1000));
        }
      }
      standIns.put(name, standIn);
    }
    return standIns;
  }

  StandInRegion(String name) throws IOException {
    this.name = name;
    this.redis = RedisServer.start();
    this.redisClient = RedisClient.create(redis.uri());
    this.connection = redisClient.connect();
    this.publicServer = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    this.adminServer = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    publicServer.createContext("/", this::serve);
    adminServer.createContext(
        "/healthz", exchange -> answer(exchange, healthy ? 200 : 503, "{}", null, -1));
    adminServer.createContext("/replication", this::replication);
    adminServer.createContext("/metrics", this::metrics);
    Gauge.builder("homeport.routing.epoch", this, StandInRegion::epoch).register(registry);
    Gauge.builder("homeport.frontdoor.instance", () -> 1)
        .tag("id", name + "-" + Long.toHexString(System.nanoTime()))
        .register(registry);
    publicServer.setExecutor(executor);
    adminServer.setExecutor(executor);
    publicServer.start();
    adminServer.start();
  }

  String url() {
    return "http://127.0.0.1:" + publicServer.getAddress().getPort();
  }

  String adminUrl() {
    return "http://127.0.0.1:" + adminServer.getAddress().getPort();
  }

  String replicationProbe() {
    return adminUrl() + "/replication";
  }

  /** The region dies: health endpoint gone, Redis killed. */
  void kill() {
    healthy = false;
    redis.kill();
  }

  /** The region comes back after {@link #kill()}: its Redis restarts empty (no persistence). */
  void revive() {
    redis.restart();
    healthy = true;
  }

  RoutingTable table() {
    String json = connection.sync().get(RedisKeys.ROUTING_TABLE);
    return json == null ? null : ContractJson.read(json, RoutingTable.class);
  }

  private void serve(HttpExchange exchange) throws IOException {
    long started = System.nanoTime();
    String[] outcome = {"refused"};
    try {
      outcome[0] = route(exchange);
    } finally {
      String path = exchange.getRequestURI().getPath();
      String route = path.startsWith("/checkout") ? "checkout" : "orders";
      String status = exchange.getResponseCode() / 100 + "xx";
      timers
          .computeIfAbsent(
              route + outcome[0] + status,
              k ->
                  Timer.builder("homeport.requests")
                      .tag("route", route)
                      .tag("policy", "home")
                      .tag("outcome", outcome[0])
                      .tag("status", status)
                      .tag("hop", "false")
                      .publishPercentileHistogram()
                      .register(registry))
          .record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
    }
  }

  /** Answers a request as a front-door routes it; returns its outcome as a front-door tags it. */
  private String route(HttpExchange exchange) throws IOException {
    requests.incrementAndGet();
    String key = exchange.getRequestHeaders().getFirst("X-User-Id");
    RoutingTable table;
    try {
      table = table();
    } catch (RuntimeException e) {
      answer(exchange, 503, "no routing table: " + e.getMessage(), name, -1);
      return "no_table";
    }
    if (key == null || table == null) {
      answer(exchange, 503, "no routing key or no routing table", name, -1);
      return "no_table";
    }
    int bucket = KeyHash.bucket(key, table.buckets());
    String home = null;
    for (BucketAssignment range : table.bucketMap()) {
      if (bucket >= range.from() && bucket <= range.to()) {
        home = range.region();
      }
    }
    RegionRoute route = home == null ? null : table.regions().get(home);
    if (route == null) {
      answer(exchange, 503, "unknown home", name, table.epoch());
      return "unknown_home";
    }
    String server = home;
    boolean failover = route.servedBy() != null;
    if (failover) {
      server = route.servedBy();
    } else if (route.phase() == RegionPhase.Fenced || route.phase() == RegionPhase.FailedOver) {
      answer(exchange, 503, "home " + home + " is down", name, table.epoch());
      return "home_down";
    }
    String outcome =
        server.equals(name)
            ? (failover ? "failover-local" : "local")
            : (failover ? "failover" : "proxied");
    if (BROKEN.contains(server)
        || (failover
            && BROKEN_FOR_FAILOVER.contains(server)
            && exchange.getRequestURI().getPath().startsWith("/checkout"))) {
      answer(exchange, 502, "backend error", server, table.epoch());
      return outcome;
    }
    answer(exchange, 200, "{\"key\":\"" + key + "\"}", server, table.epoch());
    return outcome;
  }

  /** The routing epoch this stand-in routes by now; -1 without a table. */
  private double epoch() {
    try {
      RoutingTable table = table();
      return table == null ? -1 : table.epoch();
    } catch (RuntimeException e) {
      return -1;
    }
  }

  private void metrics(HttpExchange exchange) throws IOException {
    String authorization = exchange.getRequestHeaders().getFirst("Authorization");
    if (!("Bearer " + adminToken).equals(authorization)) {
      answer(exchange, 401, "{\"error\":\"unauthorized\"}", null, -1);
      return;
    }
    byte[] bytes = registry.scrape().getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
    exchange.sendResponseHeaders(200, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  private void replication(HttpExchange exchange) throws IOException {
    StringBuilder json = new StringBuilder("{\"position\":").append(position.get());
    json.append(",\"applied\":{");
    String sep = "";
    for (Map.Entry<String, AtomicLong> entry : applied.entrySet()) {
      json.append(sep).append('"').append(entry.getKey()).append("\":").append(entry.getValue());
      sep = ",";
    }
    json.append("}}");
    answer(exchange, 200, json.toString(), null, -1);
  }

  private static void answer(
      HttpExchange exchange, int status, String body, String region, long epoch)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    if (region != null) {
      exchange.getResponseHeaders().set("X-Homeport-Region", region);
    }
    if (epoch >= 0) {
      exchange.getResponseHeaders().set("X-Homeport-Epoch", Long.toString(epoch));
    }
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    publicServer.stop(0);
    adminServer.stop(0);
    executor.shutdownNow();
    registry.close();
    connection.close();
    redisClient.shutdown();
    redis.close();
  }
}
