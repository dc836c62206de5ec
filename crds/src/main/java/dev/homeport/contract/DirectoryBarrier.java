package dev.homeport.contract;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * A request from the operator to every front-door instance of a region: forget what you cached for
 * these keys, wait until every write for them that you began before this request has finished, then
 * acknowledge with a {@link BarrierAck} in {@link RedisKeys#barrierAcks}. Once every live instance
 * has acknowledged, no instance can still act on a directory entry older than the operator's last
 * write for these keys.
 *
 * <p>A barrier for bucket entries ({@link RedisKeys#BUCKETS}) lists {@code buckets} instead: each
 * instance reloads those buckets' entries and waits for the writes it began for any key in them.
 *
 * @param id unique id of the barrier (also in its Redis key)
 * @param keys the routing keys whose cached entries are dropped; empty for a bucket barrier
 * @param requestedAt when the operator asked (RFC 3339), for people only
 * @param buckets the buckets whose entries are reloaded; null or empty for a key barrier
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record DirectoryBarrier(
    String id, List<String> keys, String requestedAt, List<Integer> buckets) {

  /** A barrier for the directory entries of routing keys. */
  public static DirectoryBarrier forKeys(String id, List<String> keys, String requestedAt) {
    return new DirectoryBarrier(id, keys, requestedAt, null);
  }

  /** A barrier for the entries of buckets. */
  public static DirectoryBarrier forBuckets(String id, List<Integer> buckets, String requestedAt) {
    return new DirectoryBarrier(id, List.of(), requestedAt, buckets);
  }

  /** Whether this barrier is for buckets rather than keys. */
  @JsonIgnore
  public boolean isForBuckets() {
    return buckets != null && !buckets.isEmpty();
  }
}
