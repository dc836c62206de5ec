package dev.homeport.frontdoor.routing;

import dev.homeport.contract.BarrierAck;
import dev.homeport.contract.DirectoryBarrier;
import dev.homeport.contract.DirectoryEntry;
import dev.homeport.contract.Lease;
import dev.homeport.contract.RoutingTable;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/**
 * The front-door's side of the control data in its region's Redis. It reads what the operator
 * writes; it writes only its own instance's heartbeat and barrier acknowledgements.
 */
public interface ControlStore extends AutoCloseable {

  CompletionStage<Optional<RoutingTable>> routingTable();

  CompletionStage<Optional<DirectoryEntry>> directory(String key);

  CompletionStage<Optional<Lease>> lease(String region);

  /** Every bucket entry ({@link dev.homeport.contract.RedisKeys#BUCKETS}), by bucket. */
  CompletionStage<Map<Integer, DirectoryEntry>> bucketEntries();

  /** The entries of {@code buckets}; a bucket without one is absent from the answer. */
  CompletionStage<Map<Integer, DirectoryEntry>> bucketEntries(List<Integer> buckets);

  /** The directory barrier with this id; empty once it has expired. */
  CompletionStage<Optional<DirectoryBarrier>> barrier(String id);

  /** Whether {@code instance} has acknowledged barrier {@code id}. */
  CompletionStage<Boolean> acknowledged(String id, String instance);

  /**
   * Records an instance's acknowledgement of barrier {@code id}, to expire with the barrier.
   * Completes with false, recording nothing, when the barrier has expired already.
   */
  CompletionStage<Boolean> acknowledge(String id, BarrierAck ack);

  /**
   * Registers {@code instance} as a live front-door, stamped with the Redis server's clock: the one
   * clock every instance of the region and the operator read alike, so that no host's clock skew
   * can make a live instance look stale.
   */
  CompletionStage<Void> heartbeat(String instance);

  /** Removes {@code instance}, and nothing else, from the live front-doors. */
  CompletionStage<Void> deregister(String instance);

  /**
   * Listens for published routing epochs, changed directory keys, changed buckets and directory
   * barrier ids. The returned stage completes once Redis has confirmed the subscription. Epoch,
   * directory and bucket messages are hints: a lost one only delays a change until the next poll.
   * Barrier messages are repeated by the operator until every live instance has acknowledged.
   */
  CompletionStage<Void> subscribe(
      Consumer<Long> onEpoch,
      Consumer<String> onDirectoryChange,
      Consumer<String> onBucketChange,
      Consumer<String> onBarrier);

  @Override
  void close();
}
