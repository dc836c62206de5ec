package dev.homeport.frontdoor.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.homeport.contract.BucketAssignment;
import dev.homeport.contract.DirectoryEntry;
import dev.homeport.contract.KeyHash;
import dev.homeport.contract.RegionRoute;
import dev.homeport.contract.RoutingTable;
import dev.homeport.crds.v1alpha1.status.RegionPhase;
import dev.homeport.frontdoor.config.OnHomeDown;
import dev.homeport.frontdoor.config.Route;
import dev.homeport.frontdoor.config.RoutePolicy;
import dev.homeport.frontdoor.routing.Decision.Local;
import dev.homeport.frontdoor.routing.Decision.Proxy;
import dev.homeport.frontdoor.routing.Decision.Reason;
import dev.homeport.frontdoor.routing.Decision.Refuse;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class RequestRouterTest {

  /** Two buckets: bucket 0 homed in mumbai, bucket 1 in frankfurt. */
  private static final int BUCKETS = 2;

  private static final String MUMBAI_KEY = keyIn(0);
  private static final String FRANKFURT_KEY = keyIn(1);

  private final RequestRouter mumbai = router("mumbai", Map.of());

  private static RequestRouter router(String self, Map<String, URI> peers) {
    return new RequestRouter(self, new PeerUrls(self, peers));
  }

  private static String keyIn(int bucket) {
    for (int i = 0; ; i++) {
      if (KeyHash.bucket("user-" + i, BUCKETS) == bucket) {
        return "user-" + i;
      }
    }
  }

  private static RoutingSnapshot table(RegionRoute mumbai, RegionRoute frankfurt) {
    Map<String, RegionRoute> regions = new LinkedHashMap<>();
    regions.put("mumbai", mumbai);
    regions.put("frankfurt", frankfurt);
    regions.put("singapore", active("http://sg"));
    return RoutingSnapshot.of(
        new RoutingTable(
            5,
            BUCKETS,
            regions,
            List.of(new BucketAssignment(0, 0, "mumbai"), new BucketAssignment(1, 1, "frankfurt")),
            "2026-11-21T10:00:00Z"));
  }

  private static RegionRoute active(String url) {
    return new RegionRoute(RegionPhase.Active, null, url, "x");
  }

  private static final RoutingSnapshot HEALTHY = table(active("http://in"), active("http://eu"));

  private static Route route(RoutePolicy policy, OnHomeDown onHomeDown) {
    return new Route("r", "/r", policy, onHomeDown, true, null);
  }

  private static final Route HOME = route(RoutePolicy.HOME, OnHomeDown.PEER);

  @Test
  void homeKeysAreServedLocallyAndOthersProxiedToTheirHome() {
    assertThat(mumbai.decide(HOME, false, MUMBAI_KEY, null, HEALTHY, true, null))
        .isEqualTo(new Local(Reason.LOCAL));
    assertThat(mumbai.decide(HOME, false, FRANKFURT_KEY, null, HEALTHY, true, null))
        .isEqualTo(new Proxy("frankfurt", "http://eu", Reason.PROXIED));
  }

  @Test
  void aDirectoryOverrideBeatsTheBucket() {
    DirectoryEntry moved = DirectoryEntry.settled("singapore", 6);
    assertThat(mumbai.decide(HOME, false, MUMBAI_KEY, moved, HEALTHY, true, null))
        .isEqualTo(new Proxy("singapore", "http://sg", Reason.PROXIED));
  }

  @Test
  void aFencedKeyRefusesWritesEverywhereButServesReads() {
    DirectoryEntry fenced = DirectoryEntry.fenced("mumbai", 6, "default/move");
    Decision write = mumbai.decide(HOME, false, MUMBAI_KEY, fenced, HEALTHY, true, null);
    assertThat(write).isInstanceOf(Refuse.class);
    assertThat(((Refuse) write).status()).isEqualTo(503);
    assertThat(((Refuse) write).retryAfterSeconds()).isPositive();
    assertThat(mumbai.decide(HOME, true, MUMBAI_KEY, fenced, HEALTHY, true, null))
        .isEqualTo(new Local(Reason.LOCAL));
  }

  @Test
  void withoutItsLeaseTheHomeFencesWritesNotReads() {
    Decision write = mumbai.decide(HOME, false, MUMBAI_KEY, null, HEALTHY, false, null);
    assertThat(write).isInstanceOf(Refuse.class);
    assertThat(((Refuse) write).outcome()).isEqualTo("fenced_region");
    assertThat(((Refuse) write).retryAfterSeconds()).isPositive();
    assertThat(mumbai.decide(HOME, true, MUMBAI_KEY, null, HEALTHY, false, null))
        .isEqualTo(new Local(Reason.LOCAL));
    assertThat(mumbai.decide(HOME, false, FRANKFURT_KEY, null, HEALTHY, false, null))
        .as("another region's keys do not depend on this region's lease")
        .isInstanceOf(Proxy.class);
  }

  @Test
  void aFailedOverHomeIsServedByItsPeer() {
    RoutingSnapshot failedOver =
        table(
            active("http://in"),
            new RegionRoute(RegionPhase.FailedOver, "mumbai", "http://eu", "x"));
    assertThat(mumbai.decide(HOME, false, FRANKFURT_KEY, null, failedOver, true, null))
        .isEqualTo(new Local(Reason.FAILOVER_LOCAL));
    assertThat(
            router("singapore", Map.of())
                .decide(HOME, false, FRANKFURT_KEY, null, failedOver, true, null))
        .isEqualTo(new Proxy("mumbai", "http://in", Reason.FAILOVER));
  }

  @Test
  void aConfiguredPeerUrlBeatsTheTablesForProxiedAndFailedOverRequests() {
    RequestRouter linked =
        router("singapore", Map.of("frankfurt", URI.create("http://link-to-eu:8080")));
    assertThat(linked.decide(HOME, false, FRANKFURT_KEY, null, HEALTHY, true, null))
        .isEqualTo(new Proxy("frankfurt", "http://link-to-eu:8080", Reason.PROXIED));
    assertThat(linked.decide(HOME, false, MUMBAI_KEY, null, HEALTHY, true, null))
        .as("a region without an override is reached at the table's URL")
        .isEqualTo(new Proxy("mumbai", "http://in", Reason.PROXIED));

    RoutingSnapshot mumbaiServesFrankfurt =
        table(
            active("http://in"),
            new RegionRoute(RegionPhase.FailedOver, "mumbai", "http://eu", "x"));
    assertThat(
            router("singapore", Map.of("mumbai", URI.create("https://link-to-in")))
                .decide(HOME, false, FRANKFURT_KEY, null, mumbaiServesFrankfurt, true, null))
        .as("the serving region's override applies, not the home's")
        .isEqualTo(new Proxy("mumbai", "https://link-to-in", Reason.FAILOVER));
  }

  @Test
  void aRegionWithoutATableUrlIsReachedAtItsConfiguredUrlOrRefused() {
    RoutingSnapshot noUrl = table(active("http://in"), active(null));
    assertThat(
            router("mumbai", Map.of("frankfurt", URI.create("http://link-to-eu:8080")))
                .decide(HOME, false, FRANKFURT_KEY, null, noUrl, true, null))
        .isEqualTo(new Proxy("frankfurt", "http://link-to-eu:8080", Reason.PROXIED));
    assertThat(mumbai.decide(HOME, false, FRANKFURT_KEY, null, noUrl, true, null))
        .isEqualTo(
            new Refuse(
                503,
                "no_url",
                "region frankfurt has no front-door URL in routing table epoch 5 and"
                    + " peers.frankfurt is not configured",
                1));
  }

  @Test
  void aFencedHomeWithoutPeerFollowsOnHomeDown() {
    RoutingSnapshot fenced =
        table(active("http://in"), new RegionRoute(RegionPhase.Fenced, null, "http://eu", "x"));
    Route readOnly = route(RoutePolicy.HOME, OnHomeDown.READ_ONLY);
    assertThat(mumbai.decide(readOnly, true, FRANKFURT_KEY, null, fenced, true, null))
        .isEqualTo(new Local(Reason.LOCAL_READ));
    assertThat(mumbai.decide(readOnly, false, FRANKFURT_KEY, null, fenced, true, null))
        .isInstanceOfSatisfying(Refuse.class, r -> assertThat(r.outcome()).isEqualTo("home_down"));
    assertThat(mumbai.decide(HOME, true, FRANKFURT_KEY, null, fenced, true, null))
        .isInstanceOfSatisfying(Refuse.class, r -> assertThat(r.status()).isEqualTo(503));
  }

  @Test
  void aSuspectHomeIsStillServed() {
    RoutingSnapshot suspect =
        table(active("http://in"), new RegionRoute(RegionPhase.Suspect, null, "http://eu", "x"));
    assertThat(mumbai.decide(HOME, false, FRANKFURT_KEY, null, suspect, true, null))
        .isEqualTo(new Proxy("frankfurt", "http://eu", Reason.PROXIED));
  }

  @Test
  void rejectOnHomeDownRefusesEvenWhenAPeerServes() {
    RoutingSnapshot failedOver =
        table(
            active("http://in"),
            new RegionRoute(RegionPhase.FailedOver, "mumbai", "http://eu", "x"));
    Route reject = route(RoutePolicy.HOME, OnHomeDown.REJECT);
    assertThat(mumbai.decide(reject, true, FRANKFURT_KEY, null, failedOver, true, null))
        .isInstanceOfSatisfying(Refuse.class, r -> assertThat(r.outcome()).isEqualTo("home_down"));
  }

  /** A request singapore's front-door proxied here, routing by {@code epoch}. */
  private static Hop fromSingapore(long epoch) {
    return new Hop("singapore", epoch, 1);
  }

  private static void assertLoop(Decision decision) {
    assertThat(decision)
        .isInstanceOfSatisfying(
            Refuse.class,
            r -> {
              assertThat(r.status()).isEqualTo(508);
              assertThat(r.outcome()).isEqualTo("loop");
              assertThat(r.retryAfterSeconds()).isZero();
            });
  }

  @Test
  void aRequestProxiedHereByTheSameOrANewerTableIsNeverProxiedAgain() {
    // HEALTHY is epoch 5.
    assertLoop(mumbai.decide(HOME, false, FRANKFURT_KEY, null, HEALTHY, true, fromSingapore(5)));
    assertLoop(mumbai.decide(HOME, false, FRANKFURT_KEY, null, HEALTHY, true, fromSingapore(6)));
    assertLoop(mumbai.decide(HOME, true, FRANKFURT_KEY, null, HEALTHY, true, fromSingapore(5)));
    assertThat(mumbai.decide(HOME, false, FRANKFURT_KEY, null, HEALTHY, true, fromSingapore(5)))
        .isEqualTo(
            new Refuse(
                508,
                "loop",
                "request was already proxied once, by region singapore routing by epoch 5, and"
                    + " region mumbai would proxy it again to frankfurt by epoch 5, which is not"
                    + " newer",
                0));
    assertThat(mumbai.decide(HOME, false, MUMBAI_KEY, null, HEALTHY, true, fromSingapore(5)))
        .isEqualTo(new Local(Reason.LOCAL));
  }

  @Test
  void aRequestFromAFrontDoorThatDoesNotSayItsEpochIsNeverProxiedAgain() {
    assertThat(
            mumbai.decide(
                HOME, false, FRANKFURT_KEY, null, HEALTHY, true, fromSingapore(Hop.UNKNOWN_EPOCH)))
        .isEqualTo(
            new Refuse(
                508,
                "loop",
                "request was already proxied once, by region singapore without saying its routing"
                    + " epoch, and region mumbai would proxy it again to frankfurt",
                0));
  }

  @Test
  void aRequestProxiedHereByAnOlderTableIsProxiedOnceMoreToTheServerOfThisOne() {
    assertThat(mumbai.decide(HOME, false, FRANKFURT_KEY, null, HEALTHY, true, fromSingapore(4)))
        .isEqualTo(new Proxy("frankfurt", "http://eu", Reason.REROUTED));
    RoutingSnapshot singaporeServesFrankfurt =
        table(
            active("http://in"),
            new RegionRoute(RegionPhase.FailedOver, "singapore", "http://eu", "x"));
    assertThat(
            mumbai.decide(
                HOME,
                false,
                FRANKFURT_KEY,
                null,
                singaporeServesFrankfurt,
                true,
                new Hop("frankfurt", 4, 1)))
        .as("back to a region that proxied it: it serves only if its own table says so by then")
        .isEqualTo(new Proxy("singapore", "http://sg", Reason.REROUTED));
  }

  @Test
  void aRequestProxiedTwiceIsNeverProxiedAThirdTimeWhateverTheEpochs() {
    assertThat(
            mumbai.decide(
                HOME, false, FRANKFURT_KEY, null, HEALTHY, true, new Hop("singapore", 4, 2)))
        .isEqualTo(
            new Refuse(
                508,
                "loop",
                "request was already proxied 2 times, last by region singapore, and region mumbai"
                    + " would proxy it again to frankfurt",
                0));
    assertLoop(
        mumbai.decide(HOME, false, FRANKFURT_KEY, null, HEALTHY, true, new Hop("singapore", 0, 7)));
    assertThat(
            mumbai.decide(HOME, false, MUMBAI_KEY, null, HEALTHY, true, new Hop("singapore", 4, 2)))
        .as("the server of its own table serves a request however it got there")
        .isEqualTo(new Local(Reason.LOCAL));
  }

  @Test
  void aReroutedRequestIsServedOnlyUnderTheServersOwnLeaseAndFences() {
    Hop secondHop = new Hop("singapore", 4, 2);
    assertThat(mumbai.decide(HOME, false, MUMBAI_KEY, null, HEALTHY, false, secondHop))
        .isInstanceOfSatisfying(
            Refuse.class, r -> assertThat(r.outcome()).isEqualTo("fenced_region"));
    assertThat(
            mumbai.decide(
                HOME,
                false,
                MUMBAI_KEY,
                DirectoryEntry.fenced("mumbai", 6, "default/move"),
                HEALTHY,
                true,
                secondHop))
        .isInstanceOfSatisfying(Refuse.class, r -> assertThat(r.outcome()).isEqualTo("fenced_key"));
    RoutingSnapshot frankfurtDown =
        table(active("http://in"), new RegionRoute(RegionPhase.Fenced, null, "http://eu", "x"));
    assertThat(
            mumbai.decide(HOME, false, FRANKFURT_KEY, null, frankfurtDown, true, fromSingapore(4)))
        .as("a newer table that says the home is down is followed, not re-routed around")
        .isInstanceOfSatisfying(Refuse.class, r -> assertThat(r.outcome()).isEqualTo("home_down"));
  }

  @Test
  void aRerouteNeedsAUrlLikeAnyProxiedRequest() {
    RoutingSnapshot noUrl = table(active("http://in"), active(null));
    assertThat(mumbai.decide(HOME, false, FRANKFURT_KEY, null, noUrl, true, fromSingapore(4)))
        .isInstanceOfSatisfying(Refuse.class, r -> assertThat(r.outcome()).isEqualTo("no_url"));
  }

  @Test
  void homeReadsLocalServesSafeReadsHereAndSendsWritesHome() {
    Route profile = route(RoutePolicy.HOME_READS_LOCAL, OnHomeDown.PEER);
    assertThat(mumbai.decide(profile, true, FRANKFURT_KEY, null, HEALTHY, true, null))
        .isEqualTo(new Local(Reason.LOCAL_READ));
    assertThat(mumbai.decide(profile, false, FRANKFURT_KEY, null, HEALTHY, true, null))
        .isInstanceOf(Proxy.class);
  }

  @ParameterizedTest
  @EnumSource(RoutePolicy.class)
  void requestsWithoutKeyFollowNoKey(RoutePolicy policy) {
    Route rejecting = new Route("r", "/r", policy, OnHomeDown.PEER, true, null);
    Route serving = new Route("r", "/r", policy, OnHomeDown.PEER, false, null);
    Decision rejected = mumbai.decide(rejecting, false, null, null, HEALTHY, true, null);
    if (policy == RoutePolicy.LOCAL) {
      assertThat(rejected).isEqualTo(new Local(Reason.LOCAL));
    } else {
      assertThat(rejected)
          .isInstanceOfSatisfying(Refuse.class, r -> assertThat(r.status()).isEqualTo(400));
    }
    assertThat(mumbai.decide(serving, false, null, null, HEALTHY, true, null))
        .isEqualTo(new Local(Reason.LOCAL));
  }

  @Test
  void localRoutesIgnoreHomesFencesAndLeases() {
    Route local = route(RoutePolicy.LOCAL, OnHomeDown.REJECT);
    assertThat(
            mumbai.decide(
                local,
                false,
                FRANKFURT_KEY,
                DirectoryEntry.fenced("frankfurt", 1, "default/move"),
                HEALTHY,
                false,
                new Hop("singapore", 5, 1)))
        .isEqualTo(new Local(Reason.LOCAL));
  }

  @Test
  void snapshotsRefuseTablesThatCannotBeRoutedBy() {
    Map<String, RegionRoute> regions = Map.of("mumbai", active("http://in"));
    assertThatThrownBy(
            () ->
                RoutingSnapshot.of(
                    new RoutingTable(
                        3, 4, regions, List.of(new BucketAssignment(0, 2, "mumbai")), null)))
        .hasMessage("routing table epoch 3 leaves bucket 3 without a home");
    assertThatThrownBy(
            () ->
                RoutingSnapshot.of(
                    new RoutingTable(
                        3, 2, regions, List.of(new BucketAssignment(0, 1, "tokyo")), null)))
        .hasMessageContaining("unknown region tokyo");
    assertThatThrownBy(
            () ->
                RoutingSnapshot.of(
                    new RoutingTable(
                        3,
                        2,
                        regions,
                        List.of(
                            new BucketAssignment(0, 1, "mumbai"),
                            new BucketAssignment(1, 1, "mumbai")),
                        null)))
        .hasMessage("routing table epoch 3 homes bucket 1 twice");
  }
}
