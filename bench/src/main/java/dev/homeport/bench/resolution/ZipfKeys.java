package dev.homeport.bench.resolution;

import org.apache.commons.rng.sampling.distribution.RejectionInversionZipfSampler;
import org.apache.commons.rng.sampling.distribution.SharedStateDiscreteSampler;
import org.apache.commons.rng.simple.RandomSource;

/**
 * Routing keys drawn with Zipf popularity: the key of rank {@code r} (1 = most popular) is asked
 * for with probability proportional to {@code 1 / r^exponent}. Sampling is constant time and memory
 * (rejection-inversion), so ten million keys cost the process that draws them nothing.
 */
public final class ZipfKeys {

  private final int keys;
  private final double exponent;
  private final SharedStateDiscreteSampler sampler;

  /**
   * @param keys number of distinct keys
   * @param exponent the Zipf exponent (1.0: the classic web-object popularity)
   * @param seed the seed of the random sequence, so that runs repeat exactly
   */
  public ZipfKeys(int keys, double exponent, long seed) {
    if (keys < 1) {
      throw new IllegalArgumentException("keys must be at least 1, got " + keys);
    }
    if (exponent < 0) {
      throw new IllegalArgumentException("exponent must not be negative, got " + exponent);
    }
    this.keys = keys;
    this.exponent = exponent;
    this.sampler =
        RejectionInversionZipfSampler.of(
            RandomSource.XO_RO_SHI_RO_128_PP.create(seed), keys, exponent);
  }

  /** The next rank drawn, in 1..keys. */
  public int nextRank() {
    return sampler.sample();
  }

  /** The routing key of a rank. */
  public static String key(int rank) {
    return "user-" + rank;
  }

  public int keys() {
    return keys;
  }

  public double exponent() {
    return exponent;
  }

  /**
   * The share of requests asking for the {@code top} most popular keys: the steady-state hit ratio
   * of a cache that always holds exactly those keys, which is the best any cache of {@code top}
   * entries can do when requests are independent draws.
   */
  public static double topShare(int top, int keys, double exponent) {
    if (top < 0 || top > keys) {
      throw new IllegalArgumentException("top must be in 0.." + keys + ", got " + top);
    }
    double head = 0;
    double all = 0;
    for (int rank = 1; rank <= keys; rank++) {
      double weight = Math.pow(rank, -exponent);
      all += weight;
      if (rank <= top) {
        head += weight;
      }
    }
    return head / all;
  }

  /** The fewest entries a cache needs for a best-case hit ratio of at least {@code ratio}. */
  public static int entriesFor(double ratio, int keys, double exponent) {
    if (ratio <= 0 || ratio > 1) {
      throw new IllegalArgumentException("ratio must be in (0, 1], got " + ratio);
    }
    double all = 0;
    for (int rank = 1; rank <= keys; rank++) {
      all += Math.pow(rank, -exponent);
    }
    double head = 0;
    for (int rank = 1; rank <= keys; rank++) {
      head += Math.pow(rank, -exponent);
      if (head >= ratio * all * (1 - 1e-12)) {
        return rank;
      }
    }
    return keys;
  }
}
