package dev.homeport.contract;

/**
 * A front-door instance's answer to a {@link DirectoryBarrier}.
 *
 * @param instance the instance's id, as registered in {@link RedisKeys#FRONT_DOORS}
 * @param keys how many keys it dropped from its cache
 * @param waitedMillis how long it waited for writes in flight for those keys to finish
 */
public record BarrierAck(String instance, int keys, long waitedMillis) {}
