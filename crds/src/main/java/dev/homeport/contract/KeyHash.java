package dev.homeport.contract;

import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;

/**
 * The stable hash that places a routing key in a bucket: {@code bucket = CRC-32(UTF-8 bytes of the
 * key) mod buckets}, with the IEEE 802.3 polynomial (the CRC-32 of zlib, Go's {@code
 * hash/crc32.ChecksumIEEE}, Python's {@code zlib.crc32}), read as an unsigned 32-bit number.
 *
 * <p>It must never change: every region and every tool has to compute the same bucket for a key,
 * today and after an upgrade. CRC-32 is not a cryptographic hash; bucket placement only needs it to
 * spread keys evenly, which it does for the identifiers used as routing keys.
 */
public final class KeyHash {

  private KeyHash() {}

  /** The bucket of {@code key} among {@code buckets} buckets. */
  public static int bucket(String key, int buckets) {
    if (key == null || key.isEmpty()) {
      throw new IllegalArgumentException("routing key must not be empty");
    }
    if (buckets < 1) {
      throw new IllegalArgumentException("buckets must be at least 1, was " + buckets);
    }
    CRC32 crc = new CRC32();
    crc.update(key.getBytes(StandardCharsets.UTF_8));
    return (int) (crc.getValue() % buckets);
  }
}
