package dev.homeport.frontdoor;

import dev.homeport.contract.BucketAssignment;
import dev.homeport.contract.ContractJson;
import dev.homeport.contract.DirectoryEntry;
import dev.homeport.contract.KeyHash;
import dev.homeport.contract.Lease;
import dev.homeport.contract.RedisKeys;
import dev.homeport.contract.RegionRoute;
import dev.homeport.contract.RoutingTable;
import dev.homeport.crds.v1alpha1.status.RegionPhase;
import dev.homeport.frontdoor.config.FrontDoorConfig;
import dev.homeport.testkit.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Three regions on loopback, each with a real redis-server, a recording backend and a real
 * front-door; the test plays the operator by writing the contract's documents into every Redis. A
 * backend answers 500 to a path ending in {@code /fail}.
 */
final class ThreeRegions implements AutoCloseable {

  static final List<String> REGIONS = List.of("mumbai", "frankfurt", "singapore");
  static final int BUCKETS = 3;
  static final String INTERNAL_SECRET = "test-internal-secret-123";
  static final String ADMIN_TOKEN = "test-admin-token-123456";
  static final long LEASE_MILLIS = 1_500;

  /** A request as a backend saw it. */
  record Seen(String backend, String method, String path, Map<String, String> headers) {}

  final Vertx vertx = Vertx.vertx();
  final Map<String, RedisServer> redis = new LinkedHashMap<>();
  final Map<String, RedisClient> clients = new LinkedHashMap<>();
  final Map<String, StatefulRedisConnection<String, String>> connections = new LinkedHashMap<>();
  final Map<String, HttpServer> backends = new LinkedHashMap<>();
  final Map<String, FrontDoor> frontDoors = new LinkedHashMap<>();
  final ConcurrentLinkedQueue<Seen> seen = new ConcurrentLinkedQueue<>();
  final Map<String, Boolean> renewing = new ConcurrentHashMap<>();
  private final AtomicLong renewal = new AtomicLong();
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final ScheduledExecutorService operator = Executors.newSingleThreadScheduledExecutor();
  long epoch;

  private final java.util.function.Function<String, String> extraConfig;

  ThreeRegions() throws Exception {
    this(region -> "");
  }

  /**
   * @param extraConfig YAML appended to each region's front-door configuration
   */
  ThreeRegions(java.util.function.Function<String, String> extraConfig) throws Exception {
    this.extraConfig = extraConfig;
    for (String region : REGIONS) {
      RedisServer server = RedisServer.start();
      redis.put(region, server);
      RedisClient client = RedisClient.create(server.uri());
      clients.put(region, client);
      connections.put(region, client.connect());
      backends.put(region, backend(region));
      renewing.put(region, true);
    }
    renewLeases();
    operator.scheduleAtFixedRate(this::renewLeases, 0, LEASE_MILLIS / 5, TimeUnit.MILLISECONDS);
    for (String region : REGIONS) {
      FrontDoorConfig config = FrontDoorConfig.parse(config(region), Map.of());
      frontDoors.put(
          region, FrontDoor.start(vertx, config).toCompletionStage().toCompletableFuture().get());
    }
    publish(healthyTable(++epoch));
  }

  private HttpServer backend(String region) throws Exception {
    return vertx
        .createHttpServer()
        .requestHandler(
            request ->
                request
                    .body()
                    .onSuccess(
                        body -> {
                          Map<String, String> headers = new LinkedHashMap<>();
                          request
                              .headers()
                              .forEach(h -> headers.put(h.getKey().toLowerCase(), h.getValue()));
                          seen.add(
                              new Seen(region, request.method().name(), request.path(), headers));
                          if (request.path().endsWith("/fail")) {
                            request.response().setStatusCode(500).end("{\"error\":\"boom\"}");
                            return;
                          }
                          request
                              .response()
                              .putHeader("X-Homeport-Region", "spoofed-by-backend")
                              .putHeader("Content-Type", "application/json")
                              .end(new JsonObject().put("backend", region).encode());
                        }))
        .listen(0, "127.0.0.1")
        .toCompletionStage()
        .toCompletableFuture()
        .get();
  }

  private String config(String region) {
    return """
        region: %s
        redis:
          uri: %s
        backend: http://127.0.0.1:%d
        listen:
          host: 127.0.0.1
          public: 0
          admin: 0
        routingKey:
          from: header
          name: X-User-Id
        routes:
          - name: orders
            path: /orders
            policy: home
            onHomeDown: peer
          - name: profile
            path: /profile
            policy: home-reads-local
          - name: feed
            path: /feed
            policy: local
            noKey: local
        cache:
          refreshAfter: 200ms
          expireAfter: 10m
        routingTable:
          pollInterval: 200ms
        secrets:
          internal: %s
          admin: %s
        """
            .formatted(
                region,
                redis.get(region).uri(),
                backends.get(region).actualPort(),
                INTERNAL_SECRET,
                ADMIN_TOKEN)
        + extraConfig.apply(region);
  }

  /** One bucket per region: bucket 0 mumbai, 1 frankfurt, 2 singapore. */
  RoutingTable healthyTable(long epoch) {
    return table(epoch, Map.of());
  }

  RoutingTable table(long epoch, Map<String, RegionRoute> overrides) {
    Map<String, RegionRoute> regions = new LinkedHashMap<>();
    for (String region : REGIONS) {
      regions.put(
          region,
          overrides.getOrDefault(
              region, new RegionRoute(RegionPhase.Active, null, publicUrl(region), "x")));
    }
    List<BucketAssignment> buckets = new ArrayList<>();
    for (int i = 0; i < REGIONS.size(); i++) {
      buckets.add(new BucketAssignment(i, i, REGIONS.get(i)));
    }
    return new RoutingTable(epoch, BUCKETS, regions, buckets, Instant.now().toString());
  }

  String publicUrl(String region) {
    return "http://127.0.0.1:" + frontDoors.get(region).publicPort();
  }

  String adminUrl(String region) {
    return "http://127.0.0.1:" + frontDoors.get(region).adminPort();
  }

  /** Writes a routing table to every reachable region's Redis and announces it. */
  void publish(RoutingTable table) {
    for (String region : REGIONS) {
      if (redis.get(region).isRunning()) {
        publishIn(region, table);
      }
    }
  }

  /**
   * Writes a routing table to one region's Redis only and announces it there, as the operator does
   * region by region: until the others get it, the regions route by different tables.
   */
  void publishIn(String region, RoutingTable table) {
    var redisCommands = connections.get(region).sync();
    redisCommands.set(RedisKeys.ROUTING_TABLE, ContractJson.write(table));
    redisCommands.publish(RedisKeys.ROUTING_CHANNEL, Long.toString(table.epoch()));
  }

  void directory(String key, DirectoryEntry entry) {
    for (String region : REGIONS) {
      var redisCommands = connections.get(region).sync();
      redisCommands.set(RedisKeys.directory(key), ContractJson.write(entry));
      redisCommands.publish(RedisKeys.DIRECTORY_CHANNEL, key);
    }
  }

  private void renewLeases() {
    long next = renewal.incrementAndGet();
    for (String region : REGIONS) {
      if (renewing.get(region) && redis.get(region).isRunning()) {
        try {
          connections
              .get(region)
              .sync()
              .set(
                  RedisKeys.lease(region),
                  ContractJson.write(
                      new Lease(region, next, LEASE_MILLIS, Instant.now().toString())));
        } catch (RuntimeException e) {
          // A region whose Redis is down simply stops being renewed.
        }
      }
    }
  }

  /** A region's front-door {@code /metrics}, read with the admin token. */
  String scrape(String region) throws Exception {
    return http.send(
            HttpRequest.newBuilder(URI.create(adminUrl(region) + "/metrics"))
                .header("Authorization", "Bearer " + ADMIN_TOKEN)
                .build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }

  /** A region's front-door {@code /healthz}. */
  JsonObject health(String region) throws Exception {
    return new JsonObject(
        http.send(
                HttpRequest.newBuilder(URI.create(adminUrl(region) + "/healthz")).build(),
                HttpResponse.BodyHandlers.ofString())
            .body());
  }

  /** {@code homeport_requests_seconds_count} by hop, outcome and status. */
  Map<String, Double> requestCounts(String region) throws Exception {
    Pattern count =
        Pattern.compile(
            "homeport_requests_seconds_count\\{hop=\"([^\"]*)\",outcome=\"([^\"]*)\","
                + "policy=\"[^\"]*\",route=\"[^\"]*\",status=\"([^\"]*)\"} (\\S+)");
    Map<String, Double> counts = new TreeMap<>();
    Matcher line = count.matcher(scrape(region));
    while (line.find()) {
      counts.merge(
          "hop=" + line.group(1) + ",outcome=" + line.group(2) + ",status=" + line.group(3),
          Double.parseDouble(line.group(4)),
          Double::sum);
    }
    return counts;
  }

  /** The series of {@code after} that grew since {@code before}, by how much. */
  static Map<String, Double> delta(Map<String, Double> before, Map<String, Double> after) {
    Map<String, Double> delta = new TreeMap<>();
    after.forEach(
        (series, value) -> {
          double grown = value - before.getOrDefault(series, 0.0);
          if (grown != 0) {
            delta.put(series, grown);
          }
        });
    return delta;
  }

  /** A routing key whose bucket is homed in {@code region}. */
  static String keyHomedIn(String region, int n) {
    int bucket = REGIONS.indexOf(region);
    int found = 0;
    for (int i = 0; ; i++) {
      String key = region + "-user-" + i;
      if (KeyHash.bucket(key, BUCKETS) == bucket && found++ == n) {
        return key;
      }
    }
  }

  @Override
  public void close() throws Exception {
    operator.shutdownNow();
    for (FrontDoor frontDoor : frontDoors.values()) {
      frontDoor.stop().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
    connections.values().forEach(StatefulRedisConnection::close);
    clients.values().forEach(RedisClient::shutdown);
    redis.values().forEach(RedisServer::close);
    vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }
}
