package dev.homeport.frontdoor.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.homeport.contract.BucketAssignment;
import dev.homeport.contract.RegionRoute;
import dev.homeport.contract.RoutingTable;
import dev.homeport.crds.v1alpha1.status.RegionPhase;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PeerUrlsTest {

  /** Mumbai and Singapore with URLs, Frankfurt without one (not yet reported). */
  private static final RoutingSnapshot TABLE = table();

  private static RoutingSnapshot table() {
    Map<String, RegionRoute> regions = new LinkedHashMap<>();
    regions.put("mumbai", new RegionRoute(RegionPhase.Active, null, "http://in", "x"));
    regions.put("frankfurt", new RegionRoute(RegionPhase.Active, null, null, "x"));
    regions.put("singapore", new RegionRoute(RegionPhase.Active, null, "http://sg", "x"));
    return RoutingSnapshot.of(
        new RoutingTable(
            7, 1, regions, List.of(new BucketAssignment(0, 0, "mumbai")), "2026-11-21T10:00:00Z"));
  }

  private final PeerUrls mumbai =
      new PeerUrls(
          "mumbai",
          Map.of(
              "frankfurt", URI.create("http://link-to-eu:8080"),
              "singapore", URI.create("https://link-to-sg"),
              "tokyo", URI.create("http://link-to-jp:8080")));

  @Test
  void aConfiguredUrlBeatsTheTablesAndStandsInForAMissingOne() {
    assertThat(mumbai.of("singapore", TABLE)).isEqualTo("https://link-to-sg");
    assertThat(mumbai.of("frankfurt", TABLE)).isEqualTo("http://link-to-eu:8080");
    assertThat(new PeerUrls("mumbai", Map.of()).of("singapore", TABLE)).isEqualTo("http://sg");
    assertThat(new PeerUrls("mumbai", Map.of()).of("frankfurt", TABLE)).isNull();
    assertThat(new PeerUrls("mumbai", Map.of()).of("tokyo", TABLE)).isNull();
  }

  @Test
  void replicationShipsToEveryOtherRegionAtTheSameUrlsAsProxiedRequests() {
    assertThat(mumbai.all(TABLE))
        .isEqualTo(
            Map.of(
                "frankfurt", URI.create("http://link-to-eu:8080"),
                "singapore", URI.create("https://link-to-sg"),
                "tokyo", URI.create("http://link-to-jp:8080")));
    assertThat(mumbai.all(null)).as("before any table is loaded").hasSize(3);
    assertThat(new PeerUrls("mumbai", Map.of()).all(TABLE))
        .as("not this region, not a region without a URL")
        .isEqualTo(Map.of("singapore", URI.create("http://sg")));
  }
}
