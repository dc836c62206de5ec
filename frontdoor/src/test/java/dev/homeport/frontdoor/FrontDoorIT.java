package dev.homeport.frontdoor;

import static dev.homeport.frontdoor.ThreeRegions.REGIONS;
import static dev.homeport.frontdoor.ThreeRegions.keyHomedIn;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.homeport.contract.DirectoryEntry;
import dev.homeport.contract.RegionRoute;
import dev.homeport.crds.v1alpha1.status.RegionPhase;
import dev.homeport.frontdoor.ThreeRegions.Seen;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Three real front-doors, three real Redis servers and three recording backends on loopback. The
 * tests run in order because later ones change shared state (a failover, a Redis outage).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FrontDoorIT {

  private static ThreeRegions regions;
  private static final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  @BeforeAll
  static void start() throws Exception {
    regions = new ThreeRegions();
    for (String region : REGIONS) {
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> status(region).contains("\"leaseHeld\":true"));
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> status(region).contains("\"routingEpoch\":1"));
    }
  }

  @AfterAll
  static void stop() throws Exception {
    if (regions != null) {
      regions.close();
    }
  }

  @BeforeEach
  void forgetRequests() {
    regions.seen.clear();
  }

  private static HttpResponse<String> send(
      String ingress, String method, String path, String key, Map<String, String> headers)
      throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(regions.publicUrl(ingress) + path))
            .timeout(Duration.ofSeconds(10))
            .method(
                method,
                method.equals("GET")
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString("{\"qty\":1}"));
    if (key != null) {
      request.header("X-User-Id", key);
    }
    headers.forEach(request::header);
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> send(String ingress, String method, String path, String key)
      throws Exception {
    return send(ingress, method, path, key, Map.of());
  }

  private static String status(String region) throws Exception {
    return http.send(
            HttpRequest.newBuilder(URI.create(regions.adminUrl(region) + "/healthz")).build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }

  @Test
  @Order(1)
  void everyKeyIsServedByItsHomeWhicheverFrontDoorReceivesIt() throws Exception {
    for (String home : REGIONS) {
      String key = keyHomedIn(home, 0);
      for (String ingress : REGIONS) {
        regions.seen.clear();
        HttpResponse<String> response = send(ingress, "POST", "/orders/1", key);

        assertThat(response.statusCode())
            .as("%s via %s: %s", key, ingress, response.body())
            .isEqualTo(200);
        assertThat(response.body()).contains("\"backend\":\"" + home + "\"");
        assertThat(response.headers().firstValue("X-Homeport-Region")).hasValue(home);
        assertThat(response.headers().firstValue("X-Homeport-Served"))
            .hasValue(ingress.equals(home) ? "local" : "proxied");
        assertThat(regions.seen).as("exactly one backend saw it").hasSize(1);
        Seen seen = regions.seen.peek();
        assertThat(seen.backend()).isEqualTo(home);
        if (ingress.equals(home)) {
          assertThat(seen.headers()).doesNotContainKey("x-homeport-hop");
        } else {
          assertThat(seen.headers()).containsEntry("x-homeport-hop", ingress);
        }
      }
    }
  }

  @Test
  @Order(2)
  void localRoutesAndLocalReadsNeverLeaveTheRegion() throws Exception {
    String frankfurtKey = keyHomedIn("frankfurt", 0);
    HttpResponse<String> feed = send("mumbai", "POST", "/feed", null);
    assertThat(feed.statusCode()).isEqualTo(200);
    assertThat(feed.headers().firstValue("X-Homeport-Region")).hasValue("mumbai");

    HttpResponse<String> read = send("mumbai", "GET", "/profile", frankfurtKey);
    assertThat(read.headers().firstValue("X-Homeport-Served")).hasValue("local-read");
    assertThat(read.headers().firstValue("X-Homeport-Home")).hasValue("frankfurt");

    HttpResponse<String> write = send("mumbai", "PUT", "/profile", frankfurtKey);
    assertThat(write.headers().firstValue("X-Homeport-Region")).hasValue("frankfurt");
  }

  @Test
  @Order(3)
  void spoofedHomeportHeadersHaveNoEffect() throws Exception {
    String mumbaiKey = keyHomedIn("mumbai", 0);
    HttpResponse<String> response =
        send(
            "frankfurt",
            "POST",
            "/orders/1",
            mumbaiKey,
            Map.of(
                "X-Homeport-Hop", "singapore",
                "X-Homeport-Auth", "guessed-secret",
                "X-Homeport-Region", "singapore",
                "X-Homeport-Served", "local"));
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("X-Homeport-Region")).hasValue("mumbai");
    assertThat(response.headers().firstValue("X-Homeport-Served")).hasValue("proxied");
    Seen seen = regions.seen.peek();
    assertThat(seen.headers())
        .containsEntry("x-homeport-hop", "frankfurt")
        .doesNotContainKey("x-homeport-region")
        .doesNotContainKey("x-homeport-served");
    assertThat(seen.headers())
        .as("the internal secret never reaches a backend")
        .doesNotContainKey("x-homeport-auth");
  }

  @Test
  @Order(4)
  void aRequestThatWouldHopTwiceIsRefusedAsALoop() throws Exception {
    HttpResponse<String> response =
        send(
            "mumbai",
            "POST",
            "/orders/1",
            keyHomedIn("frankfurt", 0),
            Map.of("X-Homeport-Hop", "singapore", "X-Homeport-Auth", ThreeRegions.INTERNAL_SECRET));
    assertThat(response.statusCode()).isEqualTo(508);
    assertThat(response.body()).contains("\"error\":\"loop\"");
    assertThat(regions.seen).isEmpty();
  }

  @Test
  @Order(5)
  void onlyRoutingTableRegionsAreTargetedWhateverTheRequestSays() throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(regions.publicUrl("mumbai") + "/orders/1"))
            .header("X-User-Id", keyHomedIn("singapore", 0))
            .header("X-Forwarded-Host", "169.254.169.254")
            .POST(HttpRequest.BodyPublishers.ofString("{}"))
            .build();
    HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
    assertThat(response.headers().firstValue("X-Homeport-Region")).hasValue("singapore");
    HttpResponse<String> unrouted = send("mumbai", "GET", "/admin/audit", "k");
    assertThat(unrouted.statusCode()).as("no route: never forwarded").isEqualTo(404);
    assertThat(regions.seen).hasSize(1);
  }

  @Test
  @Order(6)
  void aFencedKeyRefusesWritesAtEveryFrontDoorAndServesReads() throws Exception {
    String key = keyHomedIn("mumbai", 1);
    regions.directory(key, DirectoryEntry.fenced("mumbai", 1, "default/move"));
    for (String ingress : REGIONS) {
      await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> send(ingress, "POST", "/orders/1", key).statusCode() == 503);
      HttpResponse<String> write = send(ingress, "POST", "/orders/1", key);
      assertThat(write.headers().firstValue("Retry-After")).isPresent();
      assertThat(write.body()).contains("fenced_key");
      assertThat(send(ingress, "GET", "/orders/1", key).statusCode()).isEqualTo(200);
    }
    regions.directory(key, DirectoryEntry.settled("singapore", 2));
    await()
        .atMost(Duration.ofSeconds(5))
        .until(
            () ->
                send("mumbai", "POST", "/orders/1", key)
                    .headers()
                    .firstValue("X-Homeport-Region")
                    .orElse("")
                    .equals("singapore"));
  }

  @Test
  @Order(7)
  void withoutLeaseRenewalsAHomeFencesItsWritesButNotItsReads() throws Exception {
    String key = keyHomedIn("singapore", 2);
    regions.renewing.put("singapore", false);
    try {
      await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> send("mumbai", "POST", "/orders/1", key).statusCode() == 503);
      HttpResponse<String> write = send("mumbai", "POST", "/orders/1", key);
      assertThat(write.body()).contains("fenced_region");
      assertThat(write.headers().firstValue("Retry-After")).isPresent();
      assertThat(send("mumbai", "GET", "/orders/1", key).statusCode()).isEqualTo(200);
      assertThat(send("singapore", "POST", "/orders/1", keyHomedIn("mumbai", 0)).statusCode())
          .as("the fenced region still forwards other regions' keys")
          .isEqualTo(200);
    } finally {
      regions.renewing.put("singapore", true);
    }
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> send("mumbai", "POST", "/orders/1", key).statusCode() == 200);
  }

  @Test
  @Order(8)
  void failoverMovesKeysWithinOneReloadAndAStaleTableIsIgnored() throws Exception {
    String key = keyHomedIn("frankfurt", 0);
    long failoverEpoch = ++regions.epoch;
    regions.publish(
        regions.table(
            failoverEpoch,
            Map.of(
                "frankfurt",
                new RegionRoute(
                    RegionPhase.FailedOver, "singapore", regions.publicUrl("frankfurt"), "x"))));
    for (String ingress : REGIONS) {
      await()
          .atMost(Duration.ofSeconds(2))
          .until(
              () ->
                  send(ingress, "POST", "/orders/1", key)
                      .headers()
                      .firstValue("X-Homeport-Region")
                      .orElse("")
                      .equals("singapore"));
    }
    HttpResponse<String> viaMumbai = send("mumbai", "POST", "/orders/1", key);
    assertThat(viaMumbai.headers().firstValue("X-Homeport-Served")).hasValue("failover");
    assertThat(viaMumbai.headers().firstValue("X-Homeport-Epoch"))
        .hasValue(Long.toString(failoverEpoch));

    regions.publish(regions.healthyTable(failoverEpoch - 1));
    // Three poll intervals and the pub/sub message give every front-door the chance to read the
    // stale table; the failover must hold throughout.
    await()
        .during(Duration.ofMillis(600))
        .atMost(Duration.ofSeconds(2))
        .until(
            () -> {
              for (String ingress : REGIONS) {
                HttpResponse<String> response = send(ingress, "POST", "/orders/1", key);
                if (!response
                        .headers()
                        .firstValue("X-Homeport-Region")
                        .orElse("")
                        .equals("singapore")
                    || !response
                        .headers()
                        .firstValue("X-Homeport-Epoch")
                        .orElse("")
                        .equals(Long.toString(failoverEpoch))) {
                  return false;
                }
              }
              return true;
            });
  }

  @Test
  @Order(9)
  void withRedisGoneCachedKeysAndTheLastTableKeepServingAndHealthSaysDegraded() throws Exception {
    String cached = keyHomedIn("singapore", 0);
    assertThat(send("mumbai", "POST", "/orders/1", cached).statusCode()).isEqualTo(200);
    regions.redis.get("mumbai").kill();
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> status("mumbai").contains("\"status\":\"degraded\""));

    HttpResponse<String> response = send("mumbai", "POST", "/orders/1", cached);
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("X-Homeport-Region")).hasValue("singapore");
    HttpResponse<String> uncachedRead =
        send("mumbai", "GET", "/orders/1", keyHomedIn("singapore", 5));
    assertThat(uncachedRead.statusCode()).as("reads fall back to the bucket's home").isEqualTo(200);
    HttpResponse<String> uncachedWrite =
        send("mumbai", "POST", "/orders/1", keyHomedIn("singapore", 6));
    assertThat(uncachedWrite.statusCode()).as("writes never guess a home").isEqualTo(503);
    assertThat(uncachedWrite.body()).contains("unresolved");

    regions.redis.get("mumbai").restart();
    regions.publish(regions.table(++regions.epoch, Map.of()));
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> status("mumbai").contains("\"status\":\"ok\""));
  }

  @Test
  @Order(10)
  void adminEndpointsNeedTheTokenAndShowTheAudit() throws Exception {
    HttpResponse<String> anonymous =
        http.send(
            HttpRequest.newBuilder(URI.create(regions.adminUrl("mumbai") + "/admin/audit")).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(anonymous.statusCode()).isEqualTo(401);
    HttpResponse<String> audit =
        http.send(
            HttpRequest.newBuilder(URI.create(regions.adminUrl("mumbai") + "/admin/audit"))
                .header("Authorization", "Bearer " + ThreeRegions.ADMIN_TOKEN)
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(audit.statusCode()).isEqualTo(200);
    assertThat(audit.body())
        .contains(
            "\"name\":\"orders\"", "\"policy\":\"home\"", "\"bothConcurrentWritesKept\":false")
        .contains("\"policy\":\"local\"");
    HttpResponse<String> metrics =
        http.send(
            HttpRequest.newBuilder(URI.create(regions.adminUrl("mumbai") + "/metrics"))
                .header("Authorization", "Bearer " + ThreeRegions.ADMIN_TOKEN)
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(metrics.body())
        .contains("homeport_routing_epoch")
        .contains("homeport_lease_held")
        .contains("homeport_redis_latency_seconds")
        .contains("cache_gets_total{cache=\"homeport.directory\"");
  }

  @Test
  @Order(11)
  void requestMetricsTellFailuresFromSuccessesAndHopsFromEntries() throws Exception {
    String mumbaiKey = keyHomedIn("mumbai", 0);
    String frankfurtKey = keyHomedIn("frankfurt", 0);
    Map<String, Double> mumbaiBefore = regions.requestCounts("mumbai");
    Map<String, Double> frankfurtBefore = regions.requestCounts("frankfurt");

    assertThat(send("mumbai", "POST", "/orders/1", mumbaiKey).statusCode()).isEqualTo(200);
    assertThat(send("mumbai", "POST", "/orders/fail", mumbaiKey).statusCode()).isEqualTo(500);
    assertThat(send("mumbai", "POST", "/orders/1", frankfurtKey).statusCode()).isEqualTo(200);
    assertThat(send("mumbai", "POST", "/orders/fail", frankfurtKey).statusCode()).isEqualTo(500);
    assertThat(send("mumbai", "GET", "/nowhere", mumbaiKey).statusCode()).isEqualTo(404);

    Map<String, Double> mumbai = ThreeRegions.delta(mumbaiBefore, regions.requestCounts("mumbai"));
    assertThat(mumbai)
        .containsEntry("hop=false,outcome=local,status=2xx", 1.0)
        .containsEntry("hop=false,outcome=local,status=5xx", 1.0)
        .containsEntry("hop=false,outcome=proxied,status=2xx", 1.0)
        .containsEntry("hop=false,outcome=proxied,status=5xx", 1.0)
        .containsEntry("hop=false,outcome=no_route,status=4xx", 1.0);
    assertThat(mumbai.values().stream().mapToDouble(Double::doubleValue).sum()).isEqualTo(5.0);
    Map<String, Double> frankfurt =
        ThreeRegions.delta(frankfurtBefore, regions.requestCounts("frankfurt"));
    assertThat(frankfurt)
        .as("frankfurt served the two requests mumbai proxied to it")
        .containsOnly(
            Map.entry("hop=true,outcome=local,status=2xx", 1.0),
            Map.entry("hop=true,outcome=local,status=5xx", 1.0));

    // The last test: frankfurt's front-door goes away, and the proxy answers for it.
    regions.frontDoors.get("frankfurt").stop().toCompletionStage().toCompletableFuture().get();
    Map<String, Double> beforeProxyError = regions.requestCounts("mumbai");
    assertThat(send("mumbai", "POST", "/orders/1", frankfurtKey).statusCode())
        .as("a peer front-door that refuses connections")
        .isBetween(500, 599);
    assertThat(ThreeRegions.delta(beforeProxyError, regions.requestCounts("mumbai")))
        .containsOnly(Map.entry("hop=false,outcome=proxied,status=5xx", 1.0));
    assertThat(regions.scrape("mumbai"))
        .containsPattern("homeport_frontdoor_instance\\{id=\"mumbai-[^\"]+\"} 1");
  }
}
