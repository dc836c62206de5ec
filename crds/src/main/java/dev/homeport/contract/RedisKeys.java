package dev.homeport.contract;

/**
 * Where control data lives in each region's Redis. Keys share one hash tag ({@code {homeport}}) so
 * that on a Redis Cluster they sit in one slot and a routing-table write and its epoch check stay
 * atomic.
 */
public final class RedisKeys {

  private static final String PREFIX = "{homeport}:";

  /** The current routing table, as {@link RoutingTable} JSON. */
  public static final String ROUTING_TABLE = PREFIX + "routing:table";

  /** Pub/sub channel announcing a new routing table; the message is its epoch. */
  public static final String ROUTING_CHANNEL = PREFIX + "routing:published";

  /** Pub/sub channel announcing a changed directory entry; the message is the routing key. */
  public static final String DIRECTORY_CHANNEL = PREFIX + "directory:changed";

  /**
   * Hash of the region's live front-door instances: instance id → wall-clock milliseconds of its
   * last heartbeat. An instance removes itself when it stops.
   */
  public static final String FRONT_DOORS = PREFIX + "frontdoors";

  /**
   * Hash of the buckets moved away from their placement: bucket number → {@link DirectoryEntry}
   * JSON. A key with no directory entry of its own is homed by its bucket's entry here, else by the
   * routing table's bucket map. Written only by the operator (re-homing of bucket ranges).
   */
  public static final String BUCKETS = PREFIX + "buckets";

  /** Pub/sub channel announcing a changed entry in {@link #BUCKETS}; the message is the bucket. */
  public static final String BUCKETS_CHANNEL = PREFIX + "buckets:changed";

  /**
   * The operator's mark that this Redis holds the directory and bucket entries of every move: set
   * once the region's entries are known whole (a new topology, a region that joined, a directory
   * copied back), so a Redis that answers without it has lost them (it came back empty, or was
   * flushed). {@code held <token>}, or {@code restoring <token>} while they are being copied back.
   * Read and written only by the operator; its name is outside the {@link #directory} key space.
   */
  public static final String DIRECTORY_MARKER = PREFIX + "directory-marker";

  /** Pub/sub channel announcing a {@link DirectoryBarrier}; the message is its id. */
  public static final String BARRIER_CHANNEL = PREFIX + "barrier:requested";

  private RedisKeys() {}

  /** A {@link DirectoryBarrier}, as JSON; it expires on its own. */
  public static String barrier(String id) {
    return PREFIX + "barrier:" + id;
  }

  /** Hash of the acknowledgements of a barrier: instance id → {@link BarrierAck} JSON. */
  public static String barrierAcks(String id) {
    return PREFIX + "barrier:" + id + ":acks";
  }

  /** The directory entry of a routing key, as {@link DirectoryEntry} JSON; absent: no override. */
  public static String directory(String routingKey) {
    return PREFIX + "directory:" + routingKey;
  }

  /** The write lease of a region, as {@link Lease} JSON. */
  public static String lease(String region) {
    return PREFIX + "lease:" + region;
  }
}
