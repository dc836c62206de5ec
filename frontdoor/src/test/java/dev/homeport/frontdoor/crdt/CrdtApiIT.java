package dev.homeport.frontdoor.crdt;

import static org.assertj.core.api.Assertions.assertThat;

import dev.homeport.frontdoor.FrontDoor;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The CRDT HTTP API of one front-door over a real Redis. */
class CrdtApiIT {

  private static final String SECRET = "crdt-internal-secret-1";

  private final Vertx vertx = Vertx.vertx();
  private final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private RedisServer redis;
  private RedisClient redisClient;
  private StatefulRedisConnection<String, String> redisConnection;
  private FrontDoor frontDoor;

  @BeforeEach
  void start() throws Exception {
    redis = RedisServer.start();
    redisClient = RedisClient.create(redis.uri());
    redisConnection = redisClient.connect();
    HttpServer backend =
        vertx
            .createHttpServer()
            .requestHandler(request -> request.response().end("backend"))
            .listen(0, "127.0.0.1")
            .await();
    FrontDoorConfig config =
        FrontDoorConfig.parse(
            """
            region: mumbai
            redis: {uri: %s}
            backend: http://127.0.0.1:%d
            listen: {host: 127.0.0.1, public: 0, admin: 0}
            routingKey: {from: header, name: X-User-Id}
            routes:
              - {name: search, path: /search, policy: local, noKey: local, quota: {limit: 3, window: 1h}}
            timeouts: {drain: 5s}
            crdt:
              bounded:
                - {prefix: "stock:", floor: 0}
            secrets: {internal: %s, admin: crdt-admin-token-0001}
            """
                .formatted(redis.uri(), backend.actualPort(), SECRET),
            Map.of());
    frontDoor = FrontDoor.start(vertx, config).await();
  }

  @AfterEach
  void stop() throws Exception {
    frontDoor.stop().await();
    redisConnection.close();
    redisClient.shutdown();
    redis.close();
    vertx.close().await();
  }

  private HttpResponse<String> send(String method, String path, String body) throws Exception {
    return send(method, path, body, Map.of());
  }

  private HttpResponse<String> send(
      String method, String path, String body, Map<String, String> headers) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + frontDoor.publicPort() + path))
            .timeout(java.time.Duration.ofSeconds(10))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    headers.forEach(request::header);
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static JsonObject json(HttpResponse<String> response) {
    return new JsonObject(response.body());
  }

  @Test
  void incrementsAndReadsACounterWithItsPerRegionVector() throws Exception {
    assertThat(
            json(send("POST", "/v1/counters/likes:increment", "{\"delta\": 5}")).getLong("value"))
        .isEqualTo(5);
    assertThat(json(send("POST", "/v1/counters/likes:increment", null)).getLong("value"))
        .as("delta defaults to 1")
        .isEqualTo(6);
    assertThat(
            json(send("POST", "/v1/counters/likes:increment", "{\"delta\": -2}")).getLong("value"))
        .isEqualTo(4);

    HttpResponse<String> read = send("GET", "/v1/counters/likes", null);
    assertThat(read.statusCode()).isEqualTo(200);
    JsonObject counter = json(read);
    assertThat(counter.getLong("value")).isEqualTo(4);
    assertThat(counter.getJsonObject("vector").getJsonObject("mumbai").getMap())
        .containsEntry("p", 6)
        .containsEntry("n", 2);
    assertThat(redisConnection.sync().hgetall(CounterStore.key("likes")))
        .containsEntry("mumbai:p", "6")
        .containsEntry("mumbai:n", "2");
    assertThat(json(send("GET", "/v1/counters/never-touched", null)).getLong("value")).isZero();
  }

  @Test
  void refusesBadNamesDeltasAndBodiesWithClearErrors() throws Exception {
    assertError(send("POST", "/v1/counters/bad$name:increment", null), 400, "bad_name");
    assertError(
        send("POST", "/v1/counters/" + "x".repeat(201) + ":increment", null), 400, "bad_name");
    assertError(send("GET", "/v1/counters/", null), 400, "bad_name");
    assertError(send("POST", "/v1/counters/c:increment", "{\"delta\": \"7\"}"), 400, "bad_delta");
    assertError(send("POST", "/v1/counters/c:increment", "{\"delta\": 1.5}"), 400, "bad_delta");
    assertError(send("POST", "/v1/counters/c:increment", "{\"delta\": 0}"), 400, "bad_delta");
    assertError(
        send("POST", "/v1/counters/c:increment", "{\"delta\": 99999999999999999999}"),
        400,
        "bad_delta");
    assertError(send("POST", "/v1/counters/c:increment", "not json"), 400, "bad_body");
    assertError(send("POST", "/v1/counters/c", null), 404, "not_found");
    assertError(send("DELETE", "/v1/counters/c", null), 405, "method_not_allowed");

    assertThat(
            send("POST", "/v1/counters/big:increment", "{\"delta\": " + Long.MAX_VALUE + "}")
                .statusCode())
        .isEqualTo(200);
    assertError(send("POST", "/v1/counters/big:increment", "{\"delta\": 1}"), 409, "overflow");
    assertThat(json(send("GET", "/v1/counters/big", null)).getLong("value"))
        .as("the overflowing increment was not applied")
        .isEqualTo(Long.MAX_VALUE);
  }

  @Test
  void registersKeepTheLatestWrite() throws Exception {
    assertError(send("GET", "/v1/registers/theme", null), 404, "not_found");
    HttpResponse<String> first = send("PUT", "/v1/registers/theme", "{\"value\": \"dark\"}");
    assertThat(first.statusCode()).isEqualTo(200);
    HttpResponse<String> second = send("PUT", "/v1/registers/theme", "{\"value\": \"light\"}");
    JsonObject firstStamp = json(first).getJsonObject("timestamp");
    JsonObject secondStamp = json(second).getJsonObject("timestamp");
    assertThat(
            new HlcTimestamp(
                    secondStamp.getLong("physical"), secondStamp.getInteger("logical"), "mumbai")
                .isAfter(
                    new HlcTimestamp(
                        firstStamp.getLong("physical"),
                        firstStamp.getInteger("logical"),
                        "mumbai")))
        .isTrue();
    assertThat(json(send("GET", "/v1/registers/theme", null)).getString("value"))
        .isEqualTo("light");
    assertError(send("PUT", "/v1/registers/theme", "{\"value\": 3}"), 400, "bad_value");
    assertError(send("PUT", "/v1/registers/theme", null), 400, "bad_body");
    assertError(
        send(
            "PUT",
            "/v1/registers/theme",
            new JsonObject().put("value", "x".repeat(20_000)).encode()),
        413,
        "value_too_large");
  }

  @Test
  void aBoundedCounterRefusesADecrementBelowItsFloor() throws Exception {
    assertThat(send("POST", "/v1/counters/stock:sku-1:increment", "{\"delta\": 3}").statusCode())
        .isEqualTo(200);
    JsonObject sold = json(send("POST", "/v1/counters/stock:sku-1:increment", "{\"delta\": -2}"));
    assertThat(sold.getLong("value")).isEqualTo(1);
    assertThat(sold.getLong("floor")).isZero();
    assertThat(sold.getLong("oversold")).isZero();
    HttpResponse<String> refused =
        send("POST", "/v1/counters/stock:sku-1:increment", "{\"delta\": -2}");
    assertError(refused, 409, "insufficient");
    assertThat(json(refused).getString("message")).contains("stock:sku-1", "floor of 0");
    assertThat(json(send("GET", "/v1/counters/stock:sku-1", null)).getLong("value")).isEqualTo(1);
  }

  @Test
  void aRouteQuotaRefusesTheRequestOverTheLimitWithRetryAfter() throws Exception {
    Map<String, String> alice = Map.of("X-User-Id", "alice");
    for (int i = 0; i < 3; i++) {
      assertThat(send("GET", "/search", null, alice).statusCode()).isEqualTo(200);
    }
    HttpResponse<String> over = send("GET", "/search", null, alice);
    assertError(over, 429, "over_quota");
    int retryAfter = Integer.parseInt(over.headers().firstValue("Retry-After").orElseThrow());
    assertThat(retryAfter).isBetween(1, 3600);
    assertThat(send("GET", "/search", null, Map.of("X-User-Id", "bob")).statusCode())
        .as("another key has its own quota")
        .isEqualTo(200);
  }

  @Test
  void theMergeEndpointNeedsTheInternalSecretAndMergesByMaximum() throws Exception {
    String shipment =
        new MergeBatch(
                "frankfurt",
                System.currentTimeMillis(),
                true,
                Map.of("likes", PnCounter.of(Map.of("frankfurt:p", 7L))),
                Map.of())
            .toJson()
            .encode();
    assertError(send("POST", Replication.MERGE_PATH, shipment), 401, "unauthorized");
    assertError(
        send(
            "POST",
            Replication.MERGE_PATH,
            shipment,
            Map.of("X-Homeport-Hop", "frankfurt", "X-Homeport-Auth", "wrong-secret-000000")),
        401,
        "unauthorized");
    Map<String, String> peer = Map.of("X-Homeport-Hop", "frankfurt", "X-Homeport-Auth", SECRET);
    HttpResponse<String> merged = send("POST", Replication.MERGE_PATH, shipment, peer);
    assertThat(merged.statusCode()).isEqualTo(200);
    assertThat(json(merged).getInteger("countersRaised")).isEqualTo(1);
    assertThat(
            json(send("POST", Replication.MERGE_PATH, shipment, peer)).getInteger("countersRaised"))
        .as("idempotent")
        .isZero();
    assertError(
        send(
            "POST",
            Replication.MERGE_PATH,
            "{\"from\": \"frankfurt\", \"counters\": {\"x\": {\"bad\": 1}}}",
            peer),
        400,
        "bad_shipment");
    JsonObject likes = json(send("GET", "/v1/counters/likes", null));
    assertThat(likes.getLong("value")).isEqualTo(7);
    assertThat(likes.getJsonObject("staleness").getMap()).isEmpty();
  }

  @Test
  void aRegisterWriteFromAClockTooFarAheadIsDeferredAndALaterLocalWriteBeatsAnObservedOne()
      throws Exception {
    Map<String, String> peer = Map.of("X-Homeport-Hop", "frankfurt", "X-Homeport-Auth", SECRET);
    long now = System.currentTimeMillis();
    String runaway =
        new MergeBatch(
                "frankfurt",
                now,
                true,
                Map.of(),
                Map.of(
                    "theme",
                    new LwwRegister(
                        "from-the-future", new HlcTimestamp(now + 60_000, 0, "frankfurt"))))
            .toJson()
            .encode();
    JsonObject deferred = json(send("POST", Replication.MERGE_PATH, runaway, peer));
    assertThat(deferred.getInteger("registersWritten")).isZero();
    assertThat(deferred.getJsonArray("deferred").getJsonObject(0).getString("reason"))
        .contains("region frankfurt", "ahead of region mumbai's clock", "allowed skew of 5000 ms");
    assertError(send("GET", "/v1/registers/theme", null), 404, "not_found");

    // Frankfurt's clock runs 3 s ahead (inside the guard): its write is taken, and a write made
    // here afterwards must still win although this wall clock is behind Frankfurt's stamp.
    String ahead =
        new MergeBatch(
                "frankfurt",
                now,
                true,
                Map.of(),
                Map.of(
                    "theme",
                    new LwwRegister(
                        "frankfurt-dark", new HlcTimestamp(now + 3_000, 0, "frankfurt"))))
            .toJson()
            .encode();
    assertThat(
            json(send("POST", Replication.MERGE_PATH, ahead, peer)).getInteger("registersWritten"))
        .isEqualTo(1);
    JsonObject local = json(send("PUT", "/v1/registers/theme", "{\"value\": \"mumbai-light\"}"));
    assertThat(local.getJsonObject("timestamp").getLong("physical"))
        .isGreaterThanOrEqualTo(now + 3_000);
    assertThat(json(send("GET", "/v1/registers/theme", null)).getString("value"))
        .isEqualTo("mumbai-light");
    assertThat(
            json(send("POST", Replication.MERGE_PATH, ahead, peer)).getInteger("registersWritten"))
        .as("the older write, delivered again, does not win")
        .isZero();
    assertThat(json(send("GET", "/v1/registers/theme", null)).getString("value"))
        .isEqualTo("mumbai-light");
  }

  @Test
  void everyAcknowledgedIncrementIsInRedisAfterAGracefulStop() throws Exception {
    List<CompletableFuture<HttpResponse<String>>> sent = new ArrayList<>();
    for (int i = 0; i < 2_000; i++) {
      sent.add(
          http.sendAsync(
              HttpRequest.newBuilder(
                      URI.create(
                          "http://127.0.0.1:"
                              + frontDoor.publicPort()
                              + "/v1/counters/orders:increment"))
                  .POST(HttpRequest.BodyPublishers.ofString("{\"delta\": 1}"))
                  .build(),
              HttpResponse.BodyHandlers.ofString()));
      if (i == 1_000) {
        frontDoor.stop();
      }
    }
    long acknowledged = 0;
    for (CompletableFuture<HttpResponse<String>> response : sent) {
      try {
        if (response.get(20, TimeUnit.SECONDS).statusCode() == 200) {
          acknowledged++;
        }
      } catch (java.util.concurrent.ExecutionException refusedOrReset) {
        // not acknowledged: the client must not count it
      }
    }
    frontDoor.stop().await();
    String stored = redisConnection.sync().hget(CounterStore.key("orders"), "mumbai:p");
    assertThat(acknowledged).isPositive();
    assertThat(Long.parseLong(stored)).isEqualTo(acknowledged);
  }

  private static void assertError(HttpResponse<String> response, int status, String error) {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
    assertThat(json(response).getString("error")).isEqualTo(error);
    assertThat(json(response).getString("message")).isNotBlank();
  }
}
