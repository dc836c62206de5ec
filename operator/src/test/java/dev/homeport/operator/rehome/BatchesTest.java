package dev.homeport.operator.rehome;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class BatchesTest {

  private static List<String> keys(int count) {
    return IntStream.range(0, count).mapToObj(i -> "user-" + i).toList();
  }

  @Test
  void batchesCoverEveryKeyOnceInOrderAndRepeatedKeysMoveOnce() {
    List<String> keys = new ArrayList<>(keys(1001));
    keys.add("user-5");
    Batches batches = Batches.ofKeys(keys, 2000);
    assertThat(batches.size()).as("half a second's worth").isEqualTo(1000);
    assertThat(batches.count()).isEqualTo(2);
    assertThat(batches.totalKeys()).isEqualTo(1001);
    List<String> covered = new ArrayList<>();
    for (int i = 1; i <= batches.count(); i++) {
      covered.addAll(batches.batch(i));
    }
    assertThat(covered).isEqualTo(keys(1001));
    assertThat(batches.batch(2)).containsExactly("user-1000");
    assertThat(batches.keysBefore(2)).isEqualTo(1000);
  }

  @Test
  void batchesArePacedSoKeysMoveNoFasterThanTheRate() {
    Batches slow = Batches.ofKeys(keys(10), 2);
    assertThat(slow.size()).isEqualTo(1);
    assertThat(slow.earliestStart(1)).isEqualTo(Duration.ZERO);
    assertThat(slow.earliestStart(5)).isEqualTo(Duration.ofSeconds(2));
    Batches fast = Batches.ofKeys(keys(100_000), 1_000_000);
    assertThat(fast.size()).isEqualTo(Batches.MAX_BATCH);
    assertThat(fast.earliestStart(26)).isEqualTo(Duration.ofMillis(50));
  }

  @Test
  void bucketsAreCutByTheKeysTheyHoldOnAverageWithoutACap() {
    List<Integer> buckets = new ArrayList<>();
    for (int b = 0; b < 1000; b++) {
      buckets.add(b);
    }
    buckets.add(7); // listed twice, moved once
    Batches batches = Batches.ofBuckets(buckets, 100_000L, 20_000);
    assertThat(batches.size()).as("10,000 keys a batch at 100 keys a bucket").isEqualTo(100);
    assertThat(batches.count()).isEqualTo(10);
    assertThat(batches.keysPerBatch()).isEqualTo(10_000);
    assertThat(batches.batch(2)).first().isEqualTo("100");
    assertThat(batches.keysBefore(3)).isEqualTo(20_000);
    assertThat(batches.keysBefore(11)).isEqualTo(100_000);
    assertThat(batches.earliestStart(10)).isEqualTo(Duration.ofMillis(4_500));

    Batches big = Batches.ofBuckets(buckets, 1_000L, 1_000_000);
    assertThat(big.count()).as("more keys a batch than there are").isEqualTo(1);

    Batches unknown = Batches.ofBuckets(buckets, null, 100);
    assertThat(unknown.size()).as("rate read as buckets per second").isEqualTo(50);
    assertThat(unknown.totalKeys()).isEqualTo(1000);
    assertThat(unknown.earliestStart(2)).isEqualTo(Duration.ofMillis(500));
  }

  @Test
  void aResumedMoveKeepsTheBatchesItWasValidatedWith() {
    Batches recorded = Batches.ofKeys(keys(1001), 2000, 500);
    assertThat(recorded.size()).isEqualTo(500);
    assertThat(recorded.count()).isEqualTo(3);
    assertThat(recorded.batch(3)).containsExactly("user-1000");
    assertThat(recorded.earliestStart(3))
        .as("still paced by the rate")
        .isEqualTo(Duration.ofMillis(500));

    List<Integer> buckets = IntStream.range(0, 1000).boxed().toList();
    Batches bucketBatches = Batches.ofBuckets(buckets, 100_000L, 20_000, 50);
    assertThat(bucketBatches.size()).isEqualTo(50);
    assertThat(bucketBatches.count()).isEqualTo(20);
    assertThat(bucketBatches.keysPerBatch()).isEqualTo(5_000);
  }
}
