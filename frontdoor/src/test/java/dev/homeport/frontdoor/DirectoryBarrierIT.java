package dev.homeport.frontdoor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.homeport.contract.BarrierAck;
import dev.homeport.contract.BucketAssignment;
import dev.homeport.contract.ContractJson;
import dev.homeport.contract.DirectoryBarrier;
import dev.homeport.contract.DirectoryEntry;
import dev.homeport.contract.KeyHash;
import dev.homeport.contract.RedisKeys;
import dev.homeport.contract.RegionRoute;
import dev.homeport.contract.RoutingTable;
import dev.homeport.crds.v1alpha1.status.RegionPhase;
import dev.homeport.frontdoor.config.FrontDoorConfig;
import dev.homeport.testkit.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
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
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * One real front-door with a real redis-server and a backend that holds writes until the test lets
 * them go. The test plays the operator: it writes a directory barrier into Redis and announces it,
 * repeating the announcement until the instance acknowledges, as the operator does.
 */
class DirectoryBarrierIT {

  private static final String REGION = "mumbai";
  private static final String ADMIN_TOKEN = "barrier-admin-token-01";

  private static final Vertx vertx = Vertx.vertx();
  private static final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(2))
          .build();
  private static RedisServer redis;
  private static RedisClient redisClient;
  private static StatefulRedisConnection<String, String> connection;
  private static RedisCommands<String, String> operator;
  private static HttpServer backend;
  private static int deadPort;

  /** Writes the backend holds, by routing key, until {@link #release} answers them. */
  private static final Map<String, HttpServerRequest> held = new ConcurrentHashMap<>();

  /** What happened, in order, as the backend and the test saw it. */
  private static final ConcurrentLinkedQueue<String> events = new ConcurrentLinkedQueue<>();

  private FrontDoor frontDoor;

  @BeforeAll
  static void startRedisAndBackend() throws Exception {
    redis = RedisServer.start();
    redisClient = RedisClient.create(redis.uri());
    connection = redisClient.connect();
    operator = connection.sync();
    deadPort = freePort();
    backend =
        vertx
            .createHttpServer()
            .requestHandler(
                request ->
                    request
                        .body()
                        .onSuccess(
                            body -> {
                              String key = request.getHeader("X-User-Id");
                              if (request.path().endsWith("/hold")) {
                                held.put(key, request);
                              } else if (request.path().endsWith("/drop")) {
                                // A backend that dies mid-request: the front-door answers 502.
                                request.connection().close();
                              } else {
                                request.response().end("done");
                              }
                            }))
            .listen(0, "127.0.0.1")
            .await();
    // Bucket 0 is homed here; bucket 1 in frankfurt, whose front-door is down.
    Map<String, RegionRoute> regions = new LinkedHashMap<>();
    regions.put(REGION, new RegionRoute(RegionPhase.Active, null, "http://127.0.0.1:1", "x"));
    regions.put(
        "frankfurt",
        new RegionRoute(RegionPhase.Active, null, "http://127.0.0.1:" + deadPort, "x"));
    RoutingTable table =
        new RoutingTable(
            1,
            2,
            regions,
            List.of(new BucketAssignment(0, 0, REGION), new BucketAssignment(1, 1, "frankfurt")),
            Instant.now().toString());
    operator.set(RedisKeys.ROUTING_TABLE, ContractJson.write(table));
  }

  @AfterAll
  static void stopRedisAndBackend() throws Exception {
    if (connection != null) {
      connection.close();
      redisClient.shutdown();
    }
    if (redis != null) {
      redis.close();
    }
    vertx.close().await();
  }

  @BeforeEach
  void startFrontDoor() throws Exception {
    held.clear();
    events.clear();
    FrontDoorConfig config =
        FrontDoorConfig.parse(
            """
            region: %s
            redis: {uri: %s}
            backend: http://127.0.0.1:%d
            listen: {host: 127.0.0.1, public: 0, admin: 0}
            routingKey: {from: header, name: X-User-Id}
            routes:
              - {name: orders, path: /orders, policy: home, onHomeDown: reject}
              - {name: feed, path: /feed, policy: local, noKey: local}
            # Cached entries stay until dropped: only a barrier or a message replaces them.
            cache: {refreshAfter: 10m, expireAfter: 20m}
            lease: {required: false}
            secrets: {internal: barrier-internal-secret, admin: %s}
            """
                .formatted(REGION, redis.uri(), backend.actualPort(), ADMIN_TOKEN),
            Map.of());
    frontDoor = FrontDoor.start(vertx, config).await();
  }

  @AfterEach
  void stopFrontDoor() {
    held.values().forEach(request -> request.response().end("released at the end"));
    if (frontDoor != null) {
      frontDoor.stop().await();
    }
  }

  @Test
  void theInstanceIsRegisteredWithAFreshHeartbeatAndRemovedOnStop() throws Exception {
    String instance = frontDoor.instance();
    assertThat(instance).matches(REGION + "-[0-9a-f]{8}");
    assertThat(admin("/healthz")).contains("\"instance\":\"" + instance + "\"");
    operator.hset(RedisKeys.FRONT_DOORS, "mumbai-otherone", "1");

    long first = Long.parseLong(operator.hget(RedisKeys.FRONT_DOORS, instance));
    assertThat(first).isBetween(System.currentTimeMillis() - 5_000, System.currentTimeMillis());
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> Long.parseLong(operator.hget(RedisKeys.FRONT_DOORS, instance)) > first);

    frontDoor.stop().await();
    assertThat(operator.hexists(RedisKeys.FRONT_DOORS, instance)).isFalse();
    assertThat(operator.hget(RedisKeys.FRONT_DOORS, "mumbai-otherone"))
        .as("another instance's entry is not this instance's to remove")
        .isEqualTo("1");
    operator.hdel(RedisKeys.FRONT_DOORS, "mumbai-otherone");
  }

  @Test
  void aBarrierWaitsForAWriteInFlightForItsKeyAndAcknowledgesOnceTheBackendHasAnswered()
      throws Exception {
    String key = keyHomedHere(0);
    CompletableFuture<HttpResponse<String>> write = sendAsync("POST", "/orders/hold", key);
    await().atMost(Duration.ofSeconds(5)).until(() -> held.containsKey(key));

    announce("b-held", key);
    // Announced after b-held on the same channel: once it is acknowledged, b-held has been seen.
    announce("b-probe", keyHomedHere(1));
    await().atMost(Duration.ofSeconds(5)).until(() -> acknowledged("b-probe"));
    await()
        .during(Duration.ofMillis(500))
        .atMost(Duration.ofSeconds(2))
        .until(() -> !acknowledged("b-held"));
    assertThat(write).isNotDone();

    release(key);
    await().atMost(Duration.ofSeconds(5)).until(() -> acknowledged("b-held"));
    events.add("acknowledged");
    HttpResponse<String> response = write.get(5, TimeUnit.SECONDS);
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("X-Homeport-Served")).hasValue("local");
    // The write holds the barrier until the backend's answer reaches the front-door; relaying it
    // to the client is not waited for: the operator needs the write done, not delivered.
    assertThat(events).containsExactly("backend answered", "acknowledged");
    BarrierAck ack = ack("b-held");
    assertThat(ack.keys()).isEqualTo(1);
    assertThat(ack.waitedMillis()).isGreaterThanOrEqualTo(500);
    assertThat(metrics())
        .as("repeated announcements were acknowledged once each")
        .contains("homeport_directory_barriers_total{outcome=\"acked\"} 2.0")
        .contains("homeport_directory_barrier_wait_seconds_count 2");
  }

  @Test
  void aSlowWriteForAnotherKeyDoesNotHoldABarrierUp() throws Exception {
    String slowKey = keyHomedHere(2);
    CompletableFuture<HttpResponse<String>> slow = sendAsync("POST", "/orders/hold", slowKey);
    await().atMost(Duration.ofSeconds(5)).until(() -> held.containsKey(slowKey));

    announce("b-other", keyHomedHere(3));
    await().atMost(Duration.ofSeconds(5)).until(() -> acknowledged("b-other"));
    assertThat(slow).as("the unrelated write is still held").isNotDone();

    release(slowKey);
    assertThat(slow.get(5, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
  }

  @Test
  void aBarrierDropsAStaleCachedEntryWhoseChangeMessageWasLost() throws Exception {
    String key = keyHomedHere(4);
    operator.set(RedisKeys.directory(key), ContractJson.write(DirectoryEntry.settled(REGION, 1)));
    assertThat(send("POST", "/orders/1", key).statusCode()).isEqualTo(200);

    // The operator fences the key, but the change message never arrives.
    operator.set(
        RedisKeys.directory(key),
        ContractJson.write(DirectoryEntry.fenced(REGION, 2, "default/move-" + key)));
    assertThat(send("POST", "/orders/1", key).statusCode())
        .as("the cached settled entry still takes writes")
        .isEqualTo(200);

    announce("b-fence", key);
    await().atMost(Duration.ofSeconds(5)).until(() -> acknowledged("b-fence"));
    HttpResponse<String> write = send("POST", "/orders/1", key);
    assertThat(write.statusCode()).isEqualTo(503);
    assertThat(write.body()).contains("fenced_key");
    assertThat(send("GET", "/orders/1", key).statusCode()).as("reads go on").isEqualTo(200);
  }

  @Test
  void everyWriteEndsWhateverBecomesOfIt() throws Exception {
    String fencedKey = keyHomedHere(5);
    operator.set(
        RedisKeys.directory(fencedKey),
        ContractJson.write(DirectoryEntry.fenced(REGION, 2, "default/move")));
    String heldKey = keyHomedHere(6);
    CompletableFuture<HttpResponse<String>> heldWrite = sendAsync("PUT", "/orders/hold", heldKey);
    await().atMost(Duration.ofSeconds(5)).until(() -> held.containsKey(heldKey));
    assertThat(inflightGauge()).as("the gauge counts a held write").isEqualTo(1.0);

    List<CompletableFuture<HttpResponse<String>>> requests = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      requests.add(sendAsync("POST", "/orders/" + i, keyHomedHere(7 + i % 5)));
      requests.add(sendAsync("DELETE", "/orders/" + i, fencedKey));
      requests.add(sendAsync("POST", "/orders/drop", keyHomedHere(7 + i % 5)));
      requests.add(sendAsync("PATCH", "/orders/" + i, keyHomedElsewhere(i % 5)));
      requests.add(sendAsync("POST", "/orders/" + i, null));
      requests.add(sendAsync("GET", "/orders/" + i, keyHomedHere(i % 5)));
      requests.add(sendAsync("POST", "/feed", keyHomedHere(i % 5)));
    }
    Map<Integer, Integer> statuses = new ConcurrentHashMap<>();
    for (CompletableFuture<HttpResponse<String>> request : requests) {
      statuses.merge(request.get(10, TimeUnit.SECONDS).statusCode(), 1, Integer::sum);
    }
    assertThat(statuses)
        .as("served, fenced, backend or peer gone, no key")
        .containsOnlyKeys(200, 503, 502, 400)
        .containsEntry(503, 40)
        .containsEntry(502, 80)
        .containsEntry(400, 40);
    assertThat(inflightGauge()).as("only the held write is still in flight").isEqualTo(1.0);

    release(heldKey);
    assertThat(heldWrite.get(5, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    await().atMost(Duration.ofSeconds(5)).until(() -> inflightGauge() == 0.0);
  }

  /** Writes and announces a barrier, then repeats the announcement while the test waits. */
  private static void announce(String id, String... keys) {
    operator.set(
        RedisKeys.barrier(id),
        ContractJson.write(DirectoryBarrier.forKeys(id, List.of(keys), Instant.now().toString())),
        SetArgs.Builder.px(60_000));
    operator.publish(RedisKeys.BARRIER_CHANNEL, id);
  }

  private BarrierAck ack(String id) {
    String json = operator.hget(RedisKeys.barrierAcks(id), frontDoor.instance());
    return json == null ? null : ContractJson.read(json, BarrierAck.class);
  }

  /**
   * Whether this instance has acknowledged; each look repeats the announcement, as the operator.
   */
  private boolean acknowledged(String id) {
    if (ack(id) != null) {
      return true;
    }
    operator.publish(RedisKeys.BARRIER_CHANNEL, id);
    return false;
  }

  /** Lets the backend answer the write it holds for {@code key}. */
  private static void release(String key) {
    HttpServerRequest request = held.remove(key);
    events.add("backend answered");
    request.response().end("done after a while");
  }

  private HttpResponse<String> send(String method, String path, String key) throws Exception {
    return sendAsync(method, path, key).get(10, TimeUnit.SECONDS);
  }

  private CompletableFuture<HttpResponse<String>> sendAsync(
      String method, String path, String key) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + frontDoor.publicPort() + path))
            .timeout(Duration.ofSeconds(10))
            .method(
                method,
                Set.of("GET", "DELETE").contains(method)
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString("{\"qty\":1}"));
    if (key != null) {
      request.header("X-User-Id", key);
    }
    return http.sendAsync(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private String admin(String path) throws Exception {
    return http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + frontDoor.adminPort() + path))
                .header("Authorization", "Bearer " + ADMIN_TOKEN)
                .build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }

  private String metrics() throws Exception {
    return admin("/metrics");
  }

  private double inflightGauge() throws Exception {
    Matcher gauge = Pattern.compile("(?m)^homeport_writes_inflight (\\S+)$").matcher(metrics());
    assertThat(gauge.find()).as("homeport_writes_inflight is exported").isTrue();
    return Double.parseDouble(gauge.group(1));
  }

  /** The {@code n}-th key of bucket 0, homed in this region. */
  private static String keyHomedHere(int n) {
    return key(0, n);
  }

  /** The {@code n}-th key of bucket 1, homed in frankfurt, whose front-door is down. */
  private static String keyHomedElsewhere(int n) {
    return key(1, n);
  }

  private static String key(int bucket, int n) {
    int found = 0;
    for (int i = 0; ; i++) {
      String key = "barrier-user-" + i;
      if (KeyHash.bucket(key, 2) == bucket && found++ == n) {
        return key;
      }
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
