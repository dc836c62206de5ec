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
    Batches batches = new Batches(keys, 2000);
    assertThat(batches.size()).isEqualTo(500);
    assertThat(batches.count()).isEqualTo(3);
    assertThat(batches.totalKeys()).isEqualTo(1001);
    List<String> covered = new ArrayList<>();
    for (int i = 1; i <= batches.count(); i++) {
      covered.addAll(batches.batch(i));
    }
    assertThat(covered).isEqualTo(keys(1001));
    assertThat(batches.batch(3)).containsExactly("user-1000");
    assertThat(batches.keysBefore(3)).isEqualTo(1000);
  }

  @Test
  void batchesArePacedSoKeysMoveNoFasterThanTheRate() {
    Batches slow = new Batches(keys(10), 2);
    assertThat(slow.size()).isEqualTo(1);
    assertThat(slow.earliestStart(1)).isEqualTo(Duration.ZERO);
    assertThat(slow.earliestStart(5)).isEqualTo(Duration.ofSeconds(2));
    Batches fast = new Batches(keys(100_000), 1_000_000);
    assertThat(fast.size()).isEqualTo(Batches.MAX_BATCH);
    assertThat(fast.earliestStart(201)).isEqualTo(Duration.ofMillis(100));
  }
}
