package dev.homeport.operator.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.homeport.contract.DirectoryEntry;
import dev.homeport.crds.v1alpha1.spec.Placement;
import dev.homeport.crds.v1alpha1.spec.PlacementRule;
import dev.homeport.crds.v1alpha1.spec.RegionSpec;
import dev.homeport.crds.v1alpha1.status.BucketLayout;
import dev.homeport.crds.v1alpha1.status.DrillPhase;
import dev.homeport.crds.v1alpha1.status.DrillResult;
import dev.homeport.crds.v1alpha1.status.RegionPhase;
import dev.homeport.operator.failover.DrillState;
import dev.homeport.operator.failover.RegionState;
import dev.homeport.operator.failover.TopologyState;
import dev.homeport.operator.routing.BucketLayouts;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A three-region topology of 12 buckets (mumbai 0-3, frankfurt 4-7, singapore 8-11) from which
 * frankfurt was removed.
 */
class RegionRemovalsTest {

  private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

  private static RegionSpec region(String name, String residency, List<String> peers) {
    RegionSpec region = new RegionSpec();
    region.setName(name);
    region.setResidency(residency);
    region.setFailoverPeers(peers);
    return region;
  }

  private static final RegionSpec MUMBAI = region("mumbai", "in", List.of("singapore"));
  private static final RegionSpec FRANKFURT =
      region("frankfurt", "eu", List.of("singapore", "mumbai"));
  private static final RegionSpec SINGAPORE = region("singapore", "sg", List.of("mumbai"));

  private final BucketLayout layout = layout();
  private final Map<Integer, DirectoryEntry> buckets = new HashMap<>();
  private final Map<String, DirectoryEntry> keys = new HashMap<>();
  private final Map<String, RegionState> regions = new LinkedHashMap<>();
  private DrillState drill;
  private List<RegionRemovals.Move> moving = List.of();

  private static BucketLayout layout() {
    Placement placement = new Placement();
    placement.setBuckets(12);
    placement.setRule(PlacementRule.Contiguous);
    return BucketLayouts.fromPlacement(placement, List.of(MUMBAI, FRANKFURT, SINGAPORE), 1, T0);
  }

  RegionRemovalsTest() {
    for (String name : List.of("mumbai", "frankfurt", "singapore")) {
      regions.put(name, active(name));
    }
  }

  private static RegionState active(String name) {
    return new RegionState(name, RegionPhase.Active, null, null, 0, T0, T0, T0, T0, "ok");
  }

  private void moveFrankfurtsBucketsAway() {
    for (int b = 4; b <= 7; b++) {
      buckets.put(b, DirectoryEntry.settled(b < 6 ? "singapore" : "mumbai", 7));
    }
  }

  private RegionRemovals.Verdict check() {
    return RegionRemovals.check(
        new RegionRemovals.Facts(
            "frankfurt",
            layout,
            buckets,
            keys,
            new TopologyState(9, regions, drill),
            moving,
            List.of(MUMBAI, SINGAPORE),
            FRANKFURT));
  }

  @Test
  void aRegionWhoseBucketsHaveAllMovedAwayMayLeave() {
    moveFrankfurtsBucketsAway();
    keys.put("tenant-1", DirectoryEntry.settled("mumbai", 3));

    RegionRemovals.Verdict verdict = check();

    assertThat(verdict.clear()).isTrue();
    assertThat(verdict.reason()).isNull();
    assertThat(verdict.message()).isNull();
  }

  @Test
  void aRegionStillHomingItsLayoutBucketsIsRefusedNamingThemAndTheFix() {
    RegionRemovals.Verdict verdict = check();

    assertThat(verdict.clear()).isFalse();
    assertThat(verdict.reason()).isEqualTo("RegionStillHomesKeys");
    assertThat(verdict.buckets()).containsExactly("4-7");
    assertThat(verdict.keys()).isZero();
    assertThat(verdict.message())
        .isEqualTo(
            "region frankfurt was removed from spec.regions but still homes buckets 4-7 (4"
                + " buckets), so it stays in the routing table, leased and probed, with its last"
                + " spec. Move them first: kubectl homeport rehome --buckets 4-7 --to singapore."
                + " The operator completes the removal once the region homes nothing; to keep"
                + " the region, put it back in spec.regions.");
  }

  @Test
  void bucketsMovedToTheRegionAndKeysWithEntriesNamingItCount() {
    moveFrankfurtsBucketsAway();
    buckets.put(5, DirectoryEntry.fenced("frankfurt", 8, "default/away"));
    buckets.put(10, DirectoryEntry.settled("frankfurt", 7));
    keys.put("tenant-9", DirectoryEntry.settled("frankfurt", 3));
    keys.put("tenant-2", DirectoryEntry.fenced("frankfurt", 4, "default/keys"));
    keys.put("tenant-3", DirectoryEntry.settled("frankfurt", 3));
    keys.put("tenant-4", DirectoryEntry.settled("frankfurt", 3));
    keys.put("tenant-5", DirectoryEntry.settled("singapore", 3));

    RegionRemovals.Verdict verdict = check();

    assertThat(verdict.reason()).isEqualTo("RegionStillHomesKeys");
    assertThat(verdict.buckets()).containsExactly("5", "10");
    assertThat(verdict.keys()).isEqualTo(4);
    assertThat(verdict.message())
        .contains("still homes buckets 5,10 (2 buckets) and 4 keys with a directory entry of")
        .contains("(e.g. tenant-2, tenant-3, tenant-4)")
        .contains("kubectl homeport rehome --buckets 5,10 --to singapore")
        .contains("kubectl homeport rehome --keys tenant-2,tenant-3,tenant-4,… --to singapore");
  }

  @Test
  void aRegionServingAFailedOverRegionIsInUse() {
    moveFrankfurtsBucketsAway();
    regions.put(
        "mumbai",
        new RegionState(
            "mumbai", RegionPhase.FailedOver, "frankfurt", "frankfurt", 9, T0, null, T0, T0, "x"));

    RegionRemovals.Verdict verdict = check();

    assertThat(verdict.clear()).isFalse();
    assertThat(verdict.reason()).isEqualTo("RegionStillInUse");
    assertThat(verdict.message())
        .startsWith(
            "region frankfurt was removed from spec.regions but it serves the keys of"
                + " failed-over region mumbai (wait for its failback: kubectl homeport failback"
                + " mumbai --approve), so it stays in the routing table");
  }

  @Test
  void aRegionChosenAsFailoverTargetIsInUse() {
    moveFrankfurtsBucketsAway();
    regions.put(
        "singapore",
        new RegionState(
            "singapore", RegionPhase.Fenced, null, "frankfurt", 6, T0, null, T0, T0, "x"));

    assertThat(check().message()).contains("region singapore is Fenced with it as failover target");
  }

  @Test
  void aDrillOfOrToTheRegionKeepsIt() {
    moveFrankfurtsBucketsAway();
    drill =
        new DrillState(
            "Q1",
            "singapore",
            "frankfurt",
            DrillPhase.Holding,
            DrillResult.Running,
            null,
            T0,
            T0,
            Duration.ofMinutes(10),
            T0.plusSeconds(600));

    RegionRemovals.Verdict verdict = check();

    assertThat(verdict.reason()).isEqualTo("RegionStillInUse");
    assertThat(verdict.message())
        .contains("drill Q1 of region singapore is running with it as the peer")
        .contains("kubectl homeport drill abort");
  }

  @Test
  void aHomeAssignmentMovingKeysToTheRegionKeepsIt() {
    moveFrankfurtsBucketsAway();
    moving =
        List.of(
            new RegionRemovals.Move("shop/to-mumbai", "mumbai"),
            new RegionRemovals.Move("shop/to-frankfurt", "frankfurt"));

    RegionRemovals.Verdict verdict = check();

    assertThat(verdict.reason()).isEqualTo("RegionStillInUse");
    assertThat(verdict.message())
        .contains("HomeAssignment shop/to-frankfurt is moving keys to it")
        .doesNotContain("shop/to-mumbai");
  }

  @Test
  void homesAndUsesAreReportedTogether() {
    moving = List.of(new RegionRemovals.Move("shop/to-frankfurt", "frankfurt"));

    RegionRemovals.Verdict verdict = check();

    assertThat(verdict.reason()).isEqualTo("RegionStillHomesKeys");
    assertThat(verdict.message())
        .contains("still homes buckets 4-7 (4 buckets), and HomeAssignment shop/to-frankfurt");
  }

  @Test
  void theSuggestedTargetIsAStayingPeerElseOneOfItsResidency() {
    moveFrankfurtsBucketsAway();
    RegionSpec berlin = region("berlin", "eu", List.of());
    RegionSpec tokyo = region("tokyo", "jp", List.of());
    RegionSpec accepting = region("osaka", "jp", List.of());
    accepting.setAcceptsResidency(List.of("eu"));
    TopologyState state = new TopologyState(1, regions);

    assertThat(
            RegionRemovals.suggestedTarget(
                new RegionRemovals.Facts(
                    "frankfurt",
                    layout,
                    buckets,
                    keys,
                    state,
                    List.of(),
                    List.of(tokyo, berlin, MUMBAI),
                    FRANKFURT)))
        .isEqualTo("mumbai");
    assertThat(
            RegionRemovals.suggestedTarget(
                new RegionRemovals.Facts(
                    "frankfurt",
                    layout,
                    buckets,
                    keys,
                    state,
                    List.of(),
                    List.of(tokyo, accepting, berlin),
                    FRANKFURT)))
        .isEqualTo("osaka");
    assertThat(
            RegionRemovals.suggestedTarget(
                new RegionRemovals.Facts(
                    "frankfurt",
                    layout,
                    buckets,
                    keys,
                    state,
                    List.of(),
                    List.of(tokyo),
                    FRANKFURT)))
        .isEqualTo("tokyo");
  }
}
