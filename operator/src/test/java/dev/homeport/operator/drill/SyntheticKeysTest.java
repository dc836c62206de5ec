package dev.homeport.operator.drill;

import static org.assertj.core.api.Assertions.assertThat;

import dev.homeport.contract.BucketAssignment;
import dev.homeport.contract.DirectoryEntry;
import dev.homeport.contract.KeyHash;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SyntheticKeysTest {

  private static final List<BucketAssignment> MAP =
      List.of(
          new BucketAssignment(0, 20, "mumbai"),
          new BucketAssignment(21, 41, "frankfurt"),
          new BucketAssignment(42, 63, "singapore"));

  @Test
  void keysAreHomedInTheRegionByTheBucketMapAndNamedAfterTheDrill() {
    List<String> keys = SyntheticKeys.homedIn("mumbai", MAP, 64, Map.of(), "Q4-2026", 10, Set.of());
    assertThat(keys).hasSize(10).doesNotHaveDuplicates();
    assertThat(keys).allSatisfy(k -> assertThat(k).startsWith("homeport-drill-q4-2026-"));
    assertThat(keys).allSatisfy(k -> assertThat(KeyHash.bucket(k, 64)).isBetween(0, 20));
    assertThat(SyntheticKeys.homedIn("mumbai", MAP, 64, Map.of(), "Q4-2026", 10, Set.of()))
        .as("the same drill sends the same keys")
        .isEqualTo(keys);
  }

  @Test
  void bucketsMovedAwayAreSkippedAndBucketsMovedInCount() {
    Map<Integer, DirectoryEntry> moved =
        Map.of(
            5, DirectoryEntry.settled("frankfurt", 3),
            30, DirectoryEntry.settled("mumbai", 3),
            31, DirectoryEntry.fenced("mumbai", 3, "default/move"));
    List<String> keys = SyntheticKeys.homedIn("mumbai", MAP, 64, moved, "d", 200, Set.of());
    assertThat(keys).extracting(k -> KeyHash.bucket(k, 64)).doesNotContain(5, 31).contains(30);
  }

  @Test
  void skippedKeysAreReplacedAndARegionWithoutBucketsGetsNone() {
    List<String> first = SyntheticKeys.homedIn("mumbai", MAP, 64, Map.of(), "d", 3, Set.of());
    List<String> again =
        SyntheticKeys.homedIn("mumbai", MAP, 64, Map.of(), "d", 3, Set.of(first.get(0)));
    assertThat(again).hasSize(3).doesNotContain(first.get(0));
    assertThat(SyntheticKeys.homedIn("tokyo", MAP, 64, Map.of(), "d", 3, Set.of())).isEmpty();
  }
}
