package dev.homeport.contract;

import java.util.List;
import java.util.Map;

/**
 * The versioned routing document the operator publishes to every region's Redis. Front-doors
 * replace their copy only with one of a higher {@code epoch}.
 *
 * @param epoch monotonic version; every change publishes epoch + 1
 * @param buckets number of buckets keys hash into ({@link KeyHash})
 * @param regions every region that may be routed to, by name
 * @param bucketMap the home region of every bucket, as ranges covering 0..buckets-1
 * @param publishedAt when the operator published it (RFC 3339), for people and staleness metrics
 */
public record RoutingTable(
    long epoch,
    int buckets,
    Map<String, RegionRoute> regions,
    List<BucketAssignment> bucketMap,
    String publishedAt) {}
