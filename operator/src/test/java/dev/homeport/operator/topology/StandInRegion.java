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
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One region for operator tests: a real redis-server, and a small HTTP server standing in for the
 * region's front-door and application. Its public port answers every request the way a front-door
 * routes it by the routing table in its Redis: the routing key's bucket gives the home region, a
 * failed-over home is served by {@code servedBy}, a fenced home without one answers 503; the
 * response names the serving region in {@code X-Homeport-Region} and the table's epoch in {@code
 * X-Homeport-Epoch}. A serving region in {@link #BROKEN} answers 502, like a backend throwing
 * errors. Its admin port answers {@code /healthz} and the application's replication probe ({@code
 * /replication}) from counters the test moves.
 */
final class StandInRegion implements AutoCloseable {

  /** Regions whose backends answer 502 to whatever they serve, in every stand-in. */
  static final Set<String> BROKEN = ConcurrentHashMap.newKeySet();

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

  private volatile boolean healthy = true;

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

  RoutingTable table() {
    String json = connection.sync().get(RedisKeys.ROUTING_TABLE);
    return json == null ? null : ContractJson.read(json, RoutingTable.class);
  }

  private void serve(HttpExchange exchange) throws IOException {
    requests.incrementAndGet();
    String key = exchange.getRequestHeaders().getFirst("X-User-Id");
    RoutingTable table;
    try {
      table = table();
    } catch (RuntimeException e) {
      answer(exchange, 503, "no routing table: " + e.getMessage(), name, -1);
      return;
    }
    if (key == null || table == null) {
      answer(exchange, 503, "no routing key or no routing table", name, -1);
      return;
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
      return;
    }
    String server = home;
    if (route.servedBy() != null) {
      server = route.servedBy();
    } else if (route.phase() == RegionPhase.Fenced || route.phase() == RegionPhase.FailedOver) {
      answer(exchange, 503, "home " + home + " is down", name, table.epoch());
      return;
    }
    if (BROKEN.contains(server)) {
      answer(exchange, 502, "backend error", server, table.epoch());
      return;
    }
    answer(exchange, 200, "{\"key\":\"" + key + "\"}", server, table.epoch());
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
    connection.close();
    redisClient.shutdown();
    redis.close();
  }
}
