package dev.homeport.contract;

/**
 * Buckets {@code from} to {@code to} (inclusive) are homed in {@code region}.
 *
 * @param from first bucket
 * @param to last bucket, not below {@code from}
 * @param region home region of these buckets
 */
public record BucketAssignment(int from, int to, String region) {}
