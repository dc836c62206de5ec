package dev.homeport.contract;

/**
 * A region's write lease. The operator rewrites it with {@code renewal + 1} every {@code
 * durationMillis / 3}. A front-door never compares clocks: it notes on its own monotonic clock when
 * it last saw {@code renewal} change, and fences its writes once that is longer ago than {@code
 * durationMillis}.
 *
 * @param region the region holding the lease
 * @param renewal counter the operator increments on every renewal
 * @param durationMillis how long a renewal is valid
 * @param renewedAt when the operator renewed it (RFC 3339), for people only
 */
public record Lease(String region, long renewal, long durationMillis, String renewedAt) {}
