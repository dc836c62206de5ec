package dev.homeport.operator.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.homeport.contract.BucketAssignment;
import dev.homeport.contract.DirectoryEntry;
import dev.homeport.contract.RoutingTable;
import dev.homeport.crds.v1alpha1.spec.Placement;
import dev.homeport.crds.v1alpha1.spec.PlacementRule;
import dev.homeport.crds.v1alpha1.spec.RegionSpec;
import dev.homeport.crds.v1alpha1.status.BucketLayout;
import dev.homeport.crds.v1alpha1.status.LayoutRange;
import dev.homeport.crds.v1alpha1.status.LayoutSource;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class BucketLayoutsTest {

  private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
  private static final Instant T1 = Instant.parse("2026-03-02T10:00:00Z");

  private static RegionSpec region(String name, int weight) {
    RegionSpec region = new RegionSpec();
    region.setName(name);
    region.setCapacityWeight(weight);
    return region;
  }

  private static Placement placement(int buckets, PlacementRule rule) {
    Placement placement = new Placement();
    placement.setBuckets(buckets);
    placement.setRule(rule);
    return placement;
  }

  private static List<RegionSpec> three() {
    return List.of(region("mumbai", 100), region("frankfurt", 100), region("singapore", 150));
  }

  /** Tables as read from every region: none holds one. */
  private static Supplier<Map<String, Optional<RoutingTable>>> empty(List<RegionSpec> regions) {
    Map<String, Optional<RoutingTable>> answers = new LinkedHashMap<>();
    regions.forEach(r -> answers.put(r.getName(), Optional.empty()));
    return () -> answers;
  }

  private static Supplier<Map<String, Optional<RoutingTable>>> unread() {
    return () -> {
      throw new AssertionError("the regions' tables must not be read when a layout is recorded");
    };
  }

  private static BucketLayout fixed(Placement placement, List<RegionSpec> regions) {
    return BucketLayouts.decide(null, false, placement, regions, empty(regions), 3, T0).layout();
  }

  private static RoutingTable table(long epoch, int buckets, List<BucketAssignment> map) {
    return new RoutingTable(epoch, buckets, Map.of(), map, T0.toString());
  }

  @Test
  void theFirstReconcileFixesTheLayoutFromThePlacementOverTheRegionsAsTheyAre() {
    BucketLayouts.Decision decision =
        BucketLayouts.decide(
            null, false, placement(4096, PlacementRule.Contiguous), three(), empty(three()), 3, T0);

    assertThat(decision.isNew()).isTrue();
    assertThat(decision.message()).startsWith("fixed the bucket layout from spec.placement");
    BucketLayout layout = decision.layout();
    assertThat(layout.getBuckets()).isEqualTo(4096);
    assertThat(layout.getRanges())
        .containsExactly(
            new LayoutRange("0-1364", "mumbai"),
            new LayoutRange("1365-2729", "frankfurt"),
            new LayoutRange("2730-4095", "singapore"));
    assertThat(layout.getSource()).isEqualTo(LayoutSource.Placement);
    assertThat(layout.getFixedAt()).isEqualTo(T0.toString());
    assertThat(layout.getFixedAtEpoch()).isEqualTo(3L);
    assertThat(layout.getLastChange()).isNull();
    assertThat(BucketLayouts.bucketMap(layout))
        .isEqualTo(BucketPlacement.of(placement(4096, PlacementRule.Contiguous), three()));
  }

  @Test
  void aRecordedLayoutStandsWhateverTheRegionsBecome() {
    for (PlacementRule rule : List.of(PlacementRule.Contiguous, PlacementRule.Weighted)) {
      Placement placement = placement(4096, rule);
      BucketLayout layout = fixed(placement, three());
      List<BucketAssignment> before = BucketLayouts.bucketMap(layout);

      List<List<RegionSpec>> changes = new ArrayList<>();
      List<RegionSpec> added = new ArrayList<>(three());
      added.add(region("saopaulo", 100));
      changes.add(added); // a region appended
      changes.add(List.of(three().get(0), three().get(2))); // frankfurt removed
      changes.add(List.of(three().get(2), three().get(0), three().get(1))); // reordered
      changes.add(
          List.of(region("mumbai", 400), region("frankfurt", 100), region("singapore", 10)));

      for (List<RegionSpec> regions : changes) {
        boolean weightsOnly = regions.size() == 3 && regions.get(0).getName().equals("mumbai");
        if (rule == PlacementRule.Weighted || !weightsOnly) {
          // The bug this guards against: laid out again, the map moves whole ranges.
          assertThat(BucketPlacement.of(placement, regions)).isNotEqualTo(before);
        }
        BucketLayouts.Decision decision =
            BucketLayouts.decide(layout, true, placement, regions, unread(), 99, T1);
        assertThat(decision.layout()).isSameAs(layout);
        assertThat(decision.isNew()).isFalse();
        assertThat(BucketLayouts.bucketMap(decision.layout())).isEqualTo(before);
      }
    }
  }

  @Property(tries = 200)
  void noChangeOfRegionsOrWeightsMovesABucket(
      @ForAll @IntRange(min = 1, max = 6) int regionCount,
      @ForAll @IntRange(min = 8, max = 512) int buckets,
      @ForAll long seed) {
    Random random = new Random(seed);
    List<RegionSpec> regions = new ArrayList<>();
    for (int i = 0; i < regionCount; i++) {
      regions.add(region("r" + i, 1 + random.nextInt(1000)));
    }
    Placement placement =
        placement(
            buckets, random.nextBoolean() ? PlacementRule.Weighted : PlacementRule.Contiguous);
    BucketLayout layout = fixed(placement, regions);
    String[] homes = BucketLayouts.homes(layout);

    List<RegionSpec> changed = new ArrayList<>(regions);
    Collections.shuffle(changed, random);
    changed.replaceAll(r -> region(r.getName(), random.nextInt(1000)));
    if (random.nextBoolean()) {
      changed.add(region("new" + random.nextInt(100), random.nextInt(1000)));
    }
    if (changed.size() > 1 && random.nextBoolean()) {
      changed.remove(random.nextInt(changed.size()));
    }
    BucketLayout routed =
        BucketLayouts.decide(layout, true, placement, changed, unread(), 7, T1).layout();

    assertThat(BucketLayouts.homes(routed)).containsExactly(homes);
  }

  @Test
  void withoutARecordedLayoutTheTableWithTheHighestEpochIsAdopted() {
    List<BucketAssignment> older = List.of(new BucketAssignment(0, 63, "mumbai"));
    List<BucketAssignment> newer =
        List.of(new BucketAssignment(0, 9, "mumbai"), new BucketAssignment(10, 63, "frankfurt"));
    Map<String, Optional<RoutingTable>> answers = new LinkedHashMap<>();
    answers.put("mumbai", Optional.of(table(40, 64, older)));
    answers.put("frankfurt", Optional.of(table(42, 64, newer)));
    answers.put("singapore", Optional.empty());

    BucketLayouts.Decision decision =
        BucketLayouts.decide(
            null, true, placement(64, PlacementRule.Contiguous), three(), () -> answers, 0, T0);

    assertThat(decision.isNew()).isTrue();
    assertThat(decision.message())
        .contains("adopted the bucket map of routing table epoch 42")
        .contains("region frankfurt")
        .contains("0-9 mumbai, 10-63 frankfurt");
    assertThat(BucketLayouts.bucketMap(decision.layout())).isEqualTo(newer);
    assertThat(decision.layout().getSource()).isEqualTo(LayoutSource.RoutingTable);
    assertThat(decision.layout().getFixedAtEpoch()).isEqualTo(42L);
  }

  @Test
  void aTableIsAdoptedEvenWhileSomeRegionsDoNotAnswer() {
    List<BucketAssignment> map = List.of(new BucketAssignment(0, 63, "singapore"));
    Map<String, Optional<RoutingTable>> answers =
        Map.of("singapore", Optional.of(table(5, 64, map)));

    BucketLayout layout =
        BucketLayouts.decide(
                null, true, placement(64, PlacementRule.Contiguous), three(), () -> answers, 0, T0)
            .layout();

    assertThat(BucketLayouts.bucketMap(layout)).isEqualTo(map);
  }

  @Test
  void withoutATableAReconciledTopologyWaitsForEveryRegionToAnswer() {
    Map<String, Optional<RoutingTable>> answers =
        Map.of("mumbai", Optional.empty(), "singapore", Optional.empty());

    BucketLayouts.Decision decision =
        BucketLayouts.decide(
            null, true, placement(64, PlacementRule.Contiguous), three(), () -> answers, 0, T0);

    assertThat(decision.fixed()).isFalse();
    assertThat(decision.message())
        .isEqualTo(
            "waiting for the Redis of frankfurt to answer before fixing the bucket layout: no"
                + " region that answered holds a usable routing table, and one of these may");
  }

  @Test
  void aNewTopologyIsLaidOutWithoutWaitingForARegionThatDoesNotAnswer() {
    Map<String, Optional<RoutingTable>> answers =
        Map.of("mumbai", Optional.empty(), "singapore", Optional.empty());

    BucketLayouts.Decision decision =
        BucketLayouts.decide(
            null, false, placement(64, PlacementRule.Contiguous), three(), () -> answers, 0, T0);

    assertThat(decision.layout().getSource()).isEqualTo(LayoutSource.Placement);
    assertThat(decision.message()).endsWith("(the Redis of frankfurt did not answer)");
  }

  @Test
  void aTableFrontDoorsWouldRefuseIsPassedOver() {
    List<BucketAssignment> good = List.of(new BucketAssignment(0, 63, "mumbai"));
    Map<String, Optional<RoutingTable>> answers = new LinkedHashMap<>();
    answers.put("mumbai", Optional.of(table(50, 64, List.of())));
    answers.put("frankfurt", Optional.of(table(40, 64, good)));
    answers.put("singapore", Optional.empty());

    BucketLayouts.Decision decision =
        BucketLayouts.decide(
            null, true, placement(64, PlacementRule.Contiguous), three(), () -> answers, 0, T0);

    assertThat(BucketLayouts.bucketMap(decision.layout())).isEqualTo(good);
    assertThat(decision.message())
        .contains("adopted the bucket map of routing table epoch 40")
        .endsWith(
            "; passed over: routing table epoch 50 in the Redis of region mumbai: bucket layout"
                + " leaves bucket 0 without a region");

    answers.remove("frankfurt");
    BucketLayouts.Decision laidOut =
        BucketLayouts.decide(
            null, true, placement(64, PlacementRule.Contiguous), three(), () -> answers, 0, T0);
    assertThat(laidOut.isNew()).isFalse();
    assertThat(laidOut.message()).startsWith("waiting for the Redis of frankfurt");
  }

  @Test
  void aTableOfAnotherBucketCountIsNotAdopted() {
    Map<String, Optional<RoutingTable>> answers =
        Map.of(
            "mumbai", Optional.of(table(5, 128, List.of(new BucketAssignment(0, 127, "mumbai")))));

    assertThatThrownBy(
            () ->
                BucketLayouts.decide(
                    null,
                    true,
                    placement(64, PlacementRule.Contiguous),
                    three(),
                    () -> answers,
                    0,
                    T0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "routing table epoch 5 in the Redis of region mumbai has 128 buckets, but"
                + " spec.placement.buckets is 64; is spec.regions[].redis pointing at another"
                + " topology's Redis?");
  }

  @Test
  void withOnlyUnusableTablesEveryRegionAnsweringTheLayoutIsComputed() {
    Map<String, Optional<RoutingTable>> answers = new LinkedHashMap<>();
    answers.put(
        "mumbai", Optional.of(table(5, 64, List.of(new BucketAssignment(0, 62, "mumbai")))));
    answers.put("frankfurt", Optional.empty());
    answers.put("singapore", Optional.empty());

    BucketLayouts.Decision decision =
        BucketLayouts.decide(
            null, true, placement(64, PlacementRule.Contiguous), three(), () -> answers, 0, T0);

    assertThat(decision.layout().getSource()).isEqualTo(LayoutSource.Placement);
    assertThat(decision.message())
        .endsWith(
            "; passed over: routing table epoch 5 in the Redis of region mumbai: bucket layout"
                + " leaves bucket 63 without a region");
  }

  @Test
  void aBrokenLayoutIsRefusedNamingTheBucket() {
    BucketLayout layout = fixed(placement(8, PlacementRule.Contiguous), three());
    layout.setRanges(
        List.of(new LayoutRange("0-4", "mumbai"), new LayoutRange("4-7", "frankfurt")));

    assertThatThrownBy(() -> BucketLayouts.bucketMap(layout))
        .hasMessage("bucket layout homes bucket 4 twice (mumbai, frankfurt)");
  }

  @Test
  void effectiveHomesLayBucketEntriesOverTheLayout() {
    BucketLayout layout = fixed(placement(12, PlacementRule.Contiguous), three());
    Map<Integer, DirectoryEntry> entries = new HashMap<>();
    entries.put(0, DirectoryEntry.settled("singapore", 9));
    entries.put(1, DirectoryEntry.fenced("mumbai", 10, "default/move"));
    entries.put(5, DirectoryEntry.settled("mumbai", 9));

    assertThat(BucketLayouts.effectiveHomes(layout, entries))
        .containsExactly(
            "singapore",
            "mumbai",
            "mumbai",
            "mumbai",
            "frankfurt",
            "mumbai",
            "frankfurt",
            "frankfurt",
            "singapore",
            "singapore",
            "singapore",
            "singapore");
    assertThat(BucketLayouts.homedBuckets(layout, entries))
        .containsExactlyInAnyOrderEntriesOf(Map.of("mumbai", 4, "frankfurt", 3, "singapore", 5));
    assertThat(BucketLayouts.rangesHomedBy("mumbai", layout, entries)).containsExactly("1-3", "5");
    assertThat(BucketLayouts.rangesHomedBy("saopaulo", layout, entries)).isEmpty();
  }

  @Test
  void aLeavingRegionsRangesArePointedWhereTheirBucketEntriesAlreadySendThem() {
    BucketLayout layout = fixed(placement(12, PlacementRule.Contiguous), three());
    Map<Integer, DirectoryEntry> entries = new HashMap<>();
    for (int b = 4; b <= 7; b++) {
      entries.put(b, DirectoryEntry.settled(b < 6 ? "mumbai" : "singapore", 20));
    }
    entries.put(0, DirectoryEntry.settled("singapore", 20));
    String[] before = BucketLayouts.effectiveHomes(layout, entries);

    BucketLayout repointed = BucketLayouts.repoint(layout, "frankfurt", entries, 21, T1);

    assertThat(repointed.getRanges())
        .containsExactly(new LayoutRange("0-5", "mumbai"), new LayoutRange("6-11", "singapore"));
    assertThat(BucketLayouts.effectiveHomes(repointed, entries)).containsExactly(before);
    assertThat(BucketLayouts.regions(repointed)).containsExactly("mumbai", "singapore");
    assertThat(repointed.getSource()).isEqualTo(layout.getSource());
    assertThat(repointed.getFixedAt()).isEqualTo(layout.getFixedAt());
    assertThat(repointed.getFixedAtEpoch()).isEqualTo(layout.getFixedAtEpoch());
    assertThat(repointed.getLastChange())
        .isEqualTo(
            "at routing epoch 21 (2026-03-02T10:00:00Z), region frankfurt left and its buckets"
                + " 4-7 were re-pointed to where their bucket entries already sent them");
  }

  @Test
  void aRegionThatStillHomesALayoutBucketCannotBeRepointed() {
    BucketLayout layout = fixed(placement(12, PlacementRule.Contiguous), three());
    Map<Integer, DirectoryEntry> entries = new HashMap<>();
    entries.put(4, DirectoryEntry.settled("mumbai", 20));
    entries.put(5, DirectoryEntry.fenced("frankfurt", 21, "default/move"));
    entries.put(6, DirectoryEntry.settled("frankfurt", 20));

    assertThatThrownBy(() -> BucketLayouts.repoint(layout, "frankfurt", entries, 22, T1))
        .hasMessage(
            "region frankfurt still homes buckets 5-7 of the bucket layout: no bucket entry has"
                + " moved them away");
  }

  @Test
  void aRegionWithoutLayoutRangesRepointsToTheSameLayout() {
    BucketLayout layout = fixed(placement(12, PlacementRule.Contiguous), three());

    BucketLayout repointed = BucketLayouts.repoint(layout, "saopaulo", Map.of(), 22, T1);

    assertThat(repointed.getRanges()).isEqualTo(layout.getRanges());
    assertThat(repointed.getLastChange()).isNull();
  }

  @Property(tries = 200)
  void repointingChangesNoBucketsEffectiveHome(
      @ForAll @IntRange(min = 2, max = 6) int regionCount,
      @ForAll @IntRange(min = 8, max = 300) int buckets,
      @ForAll long seed) {
    Random random = new Random(seed);
    List<RegionSpec> regions = new ArrayList<>();
    for (int i = 0; i < regionCount; i++) {
      regions.add(region("r" + i, 1 + random.nextInt(300)));
    }
    BucketLayout layout = fixed(placement(buckets, PlacementRule.Weighted), regions);
    String leaving = "r" + random.nextInt(regionCount);
    Map<Integer, DirectoryEntry> entries = new HashMap<>();
    String[] homes = BucketLayouts.homes(layout);
    for (int b = 0; b < buckets; b++) {
      String other = "r" + random.nextInt(regionCount);
      if (homes[b].equals(leaving)) {
        while (other.equals(leaving)) {
          other = "r" + random.nextInt(regionCount);
        }
        entries.put(b, DirectoryEntry.settled(other, 5));
      } else if (random.nextInt(4) == 0 && !other.equals(leaving)) {
        entries.put(b, DirectoryEntry.settled(other, 5));
      }
    }
    String[] before = BucketLayouts.effectiveHomes(layout, entries);

    BucketLayout repointed = BucketLayouts.repoint(layout, leaving, entries, 9, T1);

    assertThat(BucketLayouts.effectiveHomes(repointed, entries)).containsExactly(before);
    assertThat(BucketLayouts.regions(repointed)).doesNotContain(leaving);
    assertThat(BucketLayouts.bucketMap(repointed)).hasSizeLessThanOrEqualTo(buckets);
    AtomicBoolean adjacentSame = new AtomicBoolean();
    List<BucketAssignment> map = BucketLayouts.bucketMap(repointed);
    for (int i = 1; i < map.size(); i++) {
      adjacentSame.compareAndSet(false, map.get(i).region().equals(map.get(i - 1).region()));
    }
    assertThat(adjacentSame).as("adjacent ranges of one region are merged").isFalse();
  }

  @Test
  void spansAreTheFewestRanges() {
    assertThat(BucketLayouts.spans(List.of())).isEmpty();
    assertThat(BucketLayouts.spans(List.of(7))).containsExactly("7");
    assertThat(BucketLayouts.spans(List.of(0, 1, 2, 7, 9, 10))).containsExactly("0-2", "7", "9-10");
  }
}
