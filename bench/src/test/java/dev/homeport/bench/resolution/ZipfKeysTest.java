package dev.homeport.bench.resolution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import org.junit.jupiter.api.Test;

class ZipfKeysTest {

  /** H(10) = 1 + 1/2 + ... + 1/10. */
  private static final double H10 = 7381.0 / 2520.0;

  @Test
  void ranksStayInRangeAndFollowZipf() {
    ZipfKeys zipf = new ZipfKeys(10, 1.0, 42);
    int[] counts = new int[11];
    int draws = 200_000;
    for (int i = 0; i < draws; i++) {
      int rank = zipf.nextRank();
      assertThat(rank).isBetween(1, 10);
      counts[rank]++;
    }
    for (int rank = 1; rank <= 10; rank++) {
      double expected = 1.0 / rank / H10;
      assertThat(counts[rank] / (double) draws)
          .as("rank %d", rank)
          .isCloseTo(expected, offset(0.01));
    }
  }

  @Test
  void sameSeedSameSequence() {
    ZipfKeys a = new ZipfKeys(10_000_000, 1.0, 7);
    ZipfKeys b = new ZipfKeys(10_000_000, 1.0, 7);
    for (int i = 0; i < 1_000; i++) {
      assertThat(a.nextRank()).isEqualTo(b.nextRank());
    }
  }

  @Test
  void topShareIsThePopularKeysShareOfRequests() {
    assertThat(ZipfKeys.topShare(1, 10, 1.0)).isCloseTo(1 / H10, offset(1e-12));
    assertThat(ZipfKeys.topShare(10, 10, 1.0)).isEqualTo(1.0);
    assertThat(ZipfKeys.topShare(0, 10, 1.0)).isZero();
    // Uniform popularity: the share is the fraction of keys.
    assertThat(ZipfKeys.topShare(25, 100, 0.0)).isCloseTo(0.25, offset(1e-12));
  }

  @Test
  void entriesForIsTheSmallestCacheReachingTheRatio() {
    int entries = ZipfKeys.entriesFor(0.5, 10, 1.0);
    // 1 + 1/2 = 1.5 < H10/2 = 1.464...? No: 1.5 > 1.4645, so two keys carry half the requests.
    assertThat(entries).isEqualTo(2);
    assertThat(ZipfKeys.topShare(entries, 10, 1.0)).isGreaterThanOrEqualTo(0.5);
    assertThat(ZipfKeys.topShare(entries - 1, 10, 1.0)).isLessThan(0.5);
    assertThat(ZipfKeys.entriesFor(1.0, 10, 1.0)).isEqualTo(10);
  }

  @Test
  void refusesNonsense() {
    assertThatThrownBy(() -> new ZipfKeys(0, 1.0, 1)).hasMessageContaining("keys must be");
    assertThatThrownBy(() -> ZipfKeys.topShare(11, 10, 1.0)).hasMessageContaining("top must be");
    assertThatThrownBy(() -> ZipfKeys.entriesFor(0, 10, 1.0)).hasMessageContaining("ratio");
  }
}
