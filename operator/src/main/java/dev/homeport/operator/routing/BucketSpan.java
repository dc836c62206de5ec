package dev.homeport.operator.routing;

/**
 * An inclusive range of buckets as the CRDs write it: one bucket ({@code 7}) or {@code start-end}
 * ({@code 0-511}). The CRD's pattern has already checked the text.
 */
public record BucketSpan(int from, int to) {

  /** Reads {@code 7} or {@code 0-511}. */
  public static BucketSpan parse(String text) {
    String[] ends = text.split("-");
    return new BucketSpan(
        Integer.parseInt(ends[0].trim()), Integer.parseInt(ends[ends.length - 1].trim()));
  }

  public boolean contains(int bucket) {
    return bucket >= from && bucket <= to;
  }
}
