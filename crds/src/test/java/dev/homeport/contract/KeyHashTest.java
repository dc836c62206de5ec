package dev.homeport.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class KeyHashTest {

  /** Vectors computed independently with Python's zlib.crc32: any implementation must agree. */
  @ParameterizedTest
  @CsvSource({
    "123456789, 4096, 2342",
    "user-42, 4096, 2163",
    "tenant-acme, 4096, 834",
    "münchen-7, 4096, 1000",
    "123456789, 7, 5",
    "tenant-acme, 7, 6"
  })
  void bucketIsCrc32OfUtf8ModBuckets(String key, int buckets, int expected) {
    assertThat(KeyHash.bucket(key, buckets)).isEqualTo(expected);
  }

  @Test
  void keysSpreadEvenlyOverBuckets() {
    int buckets = 16;
    int keys = 160_000;
    int[] counts = new int[buckets];
    for (int i = 0; i < keys; i++) {
      counts[KeyHash.bucket("user-" + i, buckets)]++;
    }
    for (int count : counts) {
      assertThat(count).isBetween(keys / buckets * 95 / 100, keys / buckets * 105 / 100);
    }
  }

  @Test
  void rejectsEmptyKeysAndBucketCounts() {
    assertThatThrownBy(() -> KeyHash.bucket("", 4096))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("routing key");
    assertThatThrownBy(() -> KeyHash.bucket("k", 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("buckets must be at least 1, was 0");
  }
}
