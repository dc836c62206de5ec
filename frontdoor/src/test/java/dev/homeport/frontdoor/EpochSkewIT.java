package dev.homeport.frontdoor;

import static dev.homeport.frontdoor.ThreeRegions.REGIONS;
import static dev.homeport.frontdoor.ThreeRegions.keyHomedIn;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.homeport.contract.RegionRoute;
import dev.homeport.contract.RoutingTable;
import dev.homeport.crds.v1alpha1.status.RegionPhase;
import dev.homeport.frontdoor.ThreeRegions.Seen;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Just after a flip the regions' front-doors route by tables an epoch apart, each by the one its
 * own Redis holds. Here every region's Redis holds the table the test gives it, for as long as the
 * test needs: a front-door a table behind sends a request to the old server, whose newer table
 * sends it on, once, to the new one; nothing else is ever proxied twice.
 */
class EpochSkewIT {

  private static final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private static ThreeRegions regions;

  @BeforeAll
  static void start() throws Exception {
    regions = new ThreeRegions();
    for (String region : REGIONS) {
      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () ->
                  regions.health(region).getBoolean("leaseHeld")
                      && regions.health(region).getLong("routingEpoch") == regions.epoch);
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

  /**
   * Gives each region its own table, in its own Redis only, and waits until each front-door routes
   * by it.
   */
  private static void route(Map<String, RoutingTable> tables) {
    tables.forEach(regions::publishIn);
    tables.forEach(
        (region, table) ->
            await()
                .atMost(Duration.ofSeconds(5))
                .until(() -> regions.health(region).getLong("routingEpoch") == table.epoch()));
  }

  /** A table whose {@code home} has failed over to {@code server}. */
  private static RoutingTable failedOver(long epoch, String home, String server) {
    return regions.table(
        epoch,
        Map.of(
            home, new RegionRoute(RegionPhase.FailedOver, server, regions.publicUrl(home), "x")));
  }

  private static Map<String, RoutingTable> tables(
      RoutingTable mumbai, RoutingTable frankfurt, RoutingTable singapore) {
    Map<String, RoutingTable> tables = new LinkedHashMap<>();
    tables.put("mumbai", mumbai);
    tables.put("frankfurt", frankfurt);
    tables.put("singapore", singapore);
    return tables;
  }

  private static HttpResponse<String> send(String ingress, String method, String key)
      throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(regions.publicUrl(ingress) + "/orders/1"))
            .timeout(Duration.ofSeconds(10))
            .header("X-User-Id", key)
            .method(
                method,
                method.equals("GET")
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString("{\"qty\":1}"))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static Map<String, Map<String, Double>> requestCounts() throws Exception {
    Map<String, Map<String, Double>> counts = new LinkedHashMap<>();
    for (String region : REGIONS) {
      counts.put(region, regions.requestCounts(region));
    }
    return counts;
  }

  private static Map<String, Double> grown(Map<String, Map<String, Double>> before, String region)
      throws Exception {
    return ThreeRegions.delta(before.get(region), regions.requestCounts(region));
  }

  @Test
  void anEntryATableBehindReachesTheNewServerThroughTheOldOne() throws Exception {
    String key = keyHomedIn("frankfurt", 0);
    long before = ++regions.epoch;
    long flip = ++regions.epoch;
    // The flip (frankfurt fails over to singapore) has reached frankfurt's and singapore's Redis,
    // not yet mumbai's.
    route(
        tables(
            regions.healthyTable(before),
            failedOver(flip, "frankfurt", "singapore"),
            failedOver(flip, "frankfurt", "singapore")));
    Map<String, Map<String, Double>> countsBefore = requestCounts();

    for (String method : new String[] {"POST", "GET"}) {
      regions.seen.clear();
      HttpResponse<String> response = send("mumbai", method, key);

      assertThat(response.statusCode()).as("%s: %s", method, response.body()).isEqualTo(200);
      assertThat(response.body()).contains("\"backend\":\"singapore\"");
      assertThat(response.headers().firstValue("X-Homeport-Region")).hasValue("singapore");
      assertThat(response.headers().firstValue("X-Homeport-Rerouted")).hasValue("frankfurt");
      assertThat(response.headers().firstValue("X-Homeport-Served")).hasValue("proxied");
      assertThat(response.headers().firstValue("X-Homeport-Epoch"))
          .as("the epoch the entry decided by")
          .hasValue(Long.toString(before));
      assertThat(regions.seen).as("exactly one backend saw it").hasSize(1);
      Seen seen = regions.seen.peek();
      assertThat(seen.backend()).isEqualTo("singapore");
      assertThat(seen.method()).isEqualTo(method);
      assertThat(seen.headers())
          .containsEntry("x-homeport-hop", "frankfurt")
          .doesNotContainKeys("x-homeport-auth", "x-homeport-epoch", "x-homeport-hops");
    }

    assertThat(grown(countsBefore, "mumbai"))
        .as("the users' two requests, counted once each where they entered")
        .containsOnly(Map.entry("hop=false,outcome=proxied,status=2xx", 2.0));
    assertThat(grown(countsBefore, "frankfurt"))
        .containsOnly(Map.entry("hop=true,outcome=rerouted,status=2xx", 2.0));
    assertThat(grown(countsBefore, "singapore"))
        .containsOnly(Map.entry("hop=true,outcome=failover-local,status=2xx", 2.0));

    // The flip reaches mumbai: one hop again, and nothing says rerouted.
    route(Map.of("mumbai", failedOver(flip, "frankfurt", "singapore")));
    HttpResponse<String> direct = send("mumbai", "POST", key);
    assertThat(direct.statusCode()).isEqualTo(200);
    assertThat(direct.headers().firstValue("X-Homeport-Region")).hasValue("singapore");
    assertThat(direct.headers().firstValue("X-Homeport-Served")).hasValue("failover");
    assertThat(direct.headers().firstValue("X-Homeport-Rerouted")).isEmpty();
  }

  @Test
  void tablesThatSendAKeyToEachOtherWithoutANewerEpochAreStillALoop() throws Exception {
    String key = keyHomedIn("frankfurt", 1);
    long epoch = ++regions.epoch;
    // Two tables of the same epoch that disagree: mumbai sends frankfurt's keys home, frankfurt
    // sends them to mumbai. Neither is newer, so neither may proxy the other's request again.
    RoutingTable healthy = regions.healthyTable(epoch);
    route(tables(healthy, failedOver(epoch, "frankfurt", "mumbai"), healthy));

    for (String ingress : new String[] {"mumbai", "frankfurt"}) {
      HttpResponse<String> response = send(ingress, "POST", key);
      assertThat(response.statusCode()).as("via %s: %s", ingress, response.body()).isEqualTo(508);
      assertThat(response.body()).contains("\"error\":\"loop\"", "which is not newer");
    }

    // Mumbai moves on to a newer table that still sends the key to frankfurt, whose table is now
    // the older one: frankfurt may not proxy mumbai's request again, and a request entering at
    // frankfurt is re-routed by mumbai once, back to frankfurt, which still may not proxy it.
    route(Map.of("mumbai", regions.healthyTable(++regions.epoch)));
    HttpResponse<String> viaMumbai = send("mumbai", "POST", key);
    assertThat(viaMumbai.statusCode()).isEqualTo(508);
    assertThat(viaMumbai.body()).contains("which is not newer");
    HttpResponse<String> viaFrankfurt = send("frankfurt", "POST", key);
    assertThat(viaFrankfurt.statusCode()).isEqualTo(508);
    assertThat(viaFrankfurt.body()).contains("already proxied 2 times, last by region mumbai");
    assertThat(regions.seen).as("no backend saw any of them").isEmpty();
  }

  @Test
  void aThirdHopIsRefusedEvenByANewerTable() throws Exception {
    String key = keyHomedIn("frankfurt", 2);
    long first = ++regions.epoch;
    long second = ++regions.epoch;
    long third = ++regions.epoch;
    // Three tables in a row: mumbai sends the key home to frankfurt, frankfurt (newer) to
    // singapore, singapore (newer still) to mumbai.
    route(
        tables(
            regions.healthyTable(first),
            failedOver(second, "frankfurt", "singapore"),
            failedOver(third, "frankfurt", "mumbai")));
    Map<String, Map<String, Double>> countsBefore = requestCounts();

    HttpResponse<String> response = send("mumbai", "POST", key);

    assertThat(response.statusCode()).as(response.body()).isEqualTo(508);
    assertThat(response.body())
        .contains(
            "\"error\":\"loop\"",
            "already proxied 2 times, last by region frankfurt",
            "\"region\":\"singapore\"");
    assertThat(regions.seen).as("no backend saw it").isEmpty();
    assertThat(grown(countsBefore, "mumbai"))
        .containsOnly(Map.entry("hop=false,outcome=proxied,status=5xx", 1.0));
    assertThat(grown(countsBefore, "frankfurt"))
        .containsOnly(Map.entry("hop=true,outcome=rerouted,status=5xx", 1.0));
    assertThat(grown(countsBefore, "singapore"))
        .containsOnly(Map.entry("hop=true,outcome=loop,status=5xx", 1.0));
  }
}
