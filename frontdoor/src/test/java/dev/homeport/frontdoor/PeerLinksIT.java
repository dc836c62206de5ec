package dev.homeport.frontdoor;

import static dev.homeport.frontdoor.ThreeRegions.keyHomedIn;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.homeport.contract.RegionRoute;
import dev.homeport.crds.v1alpha1.status.RegionPhase;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import io.vertx.httpproxy.BodyTransformers;
import io.vertx.httpproxy.HttpProxy;
import io.vertx.httpproxy.ProxyInterceptor;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Mumbai reaches Frankfurt through a link of its own (top-level {@code peers}), here a recording
 * reverse proxy standing in for a private link or a fault-injection proxy: proxied requests and
 * CRDT replication both take it, and it still works when the routing table has no URL for
 * Frankfurt. Singapore has no override and goes straight to the table's URL.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PeerLinksIT {

  private static final Vertx linkVertx = Vertx.vertx();
  private static final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  /** Requests that went over the mumbai → frankfurt link, as "METHOD path hop-header". */
  private static final ConcurrentLinkedQueue<String> overLink = new ConcurrentLinkedQueue<>();

  /** Counters in the CRDT shipments that went over the link. */
  private static final Set<String> countersOverLink = ConcurrentHashMap.newKeySet();

  private static ThreeRegions regions;

  @BeforeAll
  static void start() throws Exception {
    // Frankfurt's port is known only once it runs; the link listens before mumbai starts.
    AtomicInteger frankfurtPort = new AtomicInteger();
    HttpClientAgent client = linkVertx.createHttpClient();
    HttpProxy forward = HttpProxy.reverseProxy(client);
    forward.origin(
        context ->
            client.request(
                new RequestOptions()
                    .setServer(SocketAddress.inetSocketAddress(frankfurtPort.get(), "127.0.0.1"))));
    forward.addInterceptor(
        ProxyInterceptor.builder()
            .transformingRequestBody(
                BodyTransformers.jsonObject(
                    shipment -> {
                      countersOverLink.addAll(
                          shipment.getJsonObject("counters", new JsonObject()).fieldNames());
                      return shipment;
                    }))
            .build());
    HttpServer link =
        linkVertx
            .createHttpServer()
            .requestHandler(
                request -> {
                  overLink.add(
                      request.method()
                          + " "
                          + request.path()
                          + " "
                          + request.getHeader("X-Homeport-Hop"));
                  forward.handle(request);
                })
            .listen(0, "127.0.0.1")
            .await();
    regions =
        new ThreeRegions(
            region ->
                region.equals("mumbai")
                    ? """
                    crdt: {replicationInterval: 20ms, heartbeat: 200ms}
                    peers:
                      frankfurt: http://127.0.0.1:%d
                    """
                        .formatted(link.actualPort())
                    : "crdt: {replicationInterval: 20ms, heartbeat: 200ms}\n");
    frankfurtPort.set(regions.frontDoors.get("frankfurt").publicPort());
    for (String region : ThreeRegions.REGIONS) {
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
    linkVertx.close().await();
  }

  @BeforeEach
  void forget() {
    overLink.clear();
    regions.seen.clear();
  }

  private static HttpResponse<String> send(String ingress, String method, String path, String key)
      throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(regions.publicUrl(ingress) + path))
            .timeout(Duration.ofSeconds(10))
            .method(
                method,
                method.equals("GET")
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString("{\"delta\":1}"));
    if (key != null) {
      request.header("X-User-Id", key);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String status(String region) throws Exception {
    return http.send(
            HttpRequest.newBuilder(URI.create(regions.adminUrl(region) + "/healthz")).build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }

  /** Application requests over the link, without the replication shipments that also take it. */
  private static List<String> proxiedOverLink() {
    return overLink.stream().filter(request -> !request.contains(" /internal/")).toList();
  }

  private static void assertServedByFrankfurt(HttpResponse<String> response) {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    assertThat(response.body()).contains("\"backend\":\"frankfurt\"");
    assertThat(response.headers().firstValue("X-Homeport-Region")).hasValue("frankfurt");
    assertThat(response.headers().firstValue("X-Homeport-Served")).hasValue("proxied");
  }

  @Test
  @Order(1)
  void aRequestProxiedToFrankfurtTakesMumbaisLinkAndOnlyMumbais() throws Exception {
    String key = keyHomedIn("frankfurt", 0);

    assertServedByFrankfurt(send("mumbai", "POST", "/orders/1", key));
    assertThat(proxiedOverLink()).containsExactly("POST /orders/1 mumbai");
    assertThat(regions.seen).extracting(ThreeRegions.Seen::backend).containsExactly("frankfurt");

    overLink.clear();
    assertServedByFrankfurt(send("singapore", "POST", "/orders/2", key));
    assertThat(proxiedOverLink()).as("singapore has no override: the table's URL").isEmpty();

    HttpResponse<String> toSingapore =
        send("mumbai", "POST", "/orders/3", keyHomedIn("singapore", 0));
    assertThat(toSingapore.headers().firstValue("X-Homeport-Region")).hasValue("singapore");
    assertThat(proxiedOverLink()).as("only frankfurt is overridden").isEmpty();
  }

  @Test
  @Order(2)
  void replicationToFrankfurtTakesTheSameLink() throws Exception {
    assertThat(send("mumbai", "POST", "/v1/counters/likes:increment", null).statusCode())
        .isEqualTo(200);
    // Singapore passes it on to frankfurt as well; the shipment over the link is mumbai's own.
    await().atMost(Duration.ofSeconds(10)).until(() -> countersOverLink.contains("likes"));
    assertThat(overLink).contains("POST /internal/v1/crdt/merge mumbai");
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                new JsonObject(send("frankfurt", "GET", "/v1/counters/likes", null).body())
                        .getLong("value")
                    == 1);
  }

  @Test
  @Order(3)
  void theOverrideStandsInWhenTheTableHasNoUrlForFrankfurt() throws Exception {
    String key = keyHomedIn("frankfurt", 1);
    regions.publish(
        regions.table(
            ++regions.epoch,
            Map.of("frankfurt", new RegionRoute(RegionPhase.Active, null, null, "x"))));
    await()
        .atMost(Duration.ofSeconds(5))
        .until(
            () ->
                send("singapore", "POST", "/orders/4", key)
                    .body()
                    .contains("\"error\":\"no_url\""));
    HttpResponse<String> refused = send("singapore", "POST", "/orders/4", key);
    assertThat(refused.statusCode()).isEqualTo(503);
    assertThat(refused.headers().firstValue("Retry-After")).isPresent();
    assertThat(refused.body())
        .contains("region frankfurt has no front-door URL in routing table epoch");

    await()
        .atMost(Duration.ofSeconds(5))
        .until(
            () ->
                send("mumbai", "GET", "/feed", null)
                    .headers()
                    .firstValue("X-Homeport-Epoch")
                    .orElse("")
                    .equals(Long.toString(regions.epoch)));
    overLink.clear();
    assertServedByFrankfurt(send("mumbai", "POST", "/orders/5", key));
    assertThat(proxiedOverLink()).containsExactly("POST /orders/5 mumbai");
  }
}
