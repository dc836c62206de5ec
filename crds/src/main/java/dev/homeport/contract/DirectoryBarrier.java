package dev.homeport.contract;

import java.util.List;

/**
 * A request from the operator to every front-door instance of a region: forget what you cached for
 * these keys, wait until every write for them that you began before this request has finished, then
 * acknowledge with a {@link BarrierAck} in {@link RedisKeys#barrierAcks}. Once every live instance
 * has acknowledged, no instance can still act on a directory entry older than the operator's last
 * write for these keys.
 *
 * @param id unique id of the barrier (also in its Redis key)
 * @param keys the routing keys whose cached entries are dropped
 * @param requestedAt when the operator asked (RFC 3339), for people only
 */
public record DirectoryBarrier(String id, List<String> keys, String requestedAt) {}
