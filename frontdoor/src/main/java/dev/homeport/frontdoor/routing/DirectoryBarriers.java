package dev.homeport.frontdoor.routing;

import dev.homeport.contract.BarrierAck;
import dev.homeport.contract.DirectoryBarrier;
import dev.homeport.contract.RedisKeys;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This instance's part in directory barriers. Before the operator moves a key it fences the key's
 * directory entry in Redis and announces a {@link DirectoryBarrier} on {@link
 * RedisKeys#BARRIER_CHANNEL}. Each instance then drops its cached entries for the barrier's keys,
 * waits until every write it had begun for those keys has been answered, and acknowledges. A write
 * holds its {@link InflightWrites} ticket from before it looks up its home, so once the wait is
 * over no write here can still act on an entry cached before the fence.
 *
 * <p>Barriers are handled independently, several at a time. The operator repeats its announcement
 * until every live instance has acknowledged; a repeat for a barrier this instance is waiting for
 * or has acknowledged changes nothing. A barrier whose writes are still in flight after {@code
 * giveUpAfter} is left unacknowledged, and the operator rolls the move back.
 */
public final class DirectoryBarriers implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(DirectoryBarriers.class);

  /** How often a waiting barrier looks at the writes in flight. */
  static final long POLL_MILLIS = 2;

  private final String instance;
  private final ControlStore store;
  private final HomeDirectory directory;
  private final BucketOverrides buckets;
  private final InflightWrites writes;
  private final Vertx vertx;
  private final Duration giveUpAfter;
  private final Set<String> open = ConcurrentHashMap.newKeySet();
  private final Counter acked;
  private final Counter expired;
  private final Counter gaveUp;
  private final Timer waits;
  private volatile boolean closed;

  /**
   * @param instance this instance's id, as registered in {@link RedisKeys#FRONT_DOORS}
   * @param giveUpAfter how long a barrier waits for writes in flight before it is given up
   */
  public DirectoryBarriers(
      String instance,
      ControlStore store,
      HomeDirectory directory,
      BucketOverrides buckets,
      InflightWrites writes,
      Vertx vertx,
      Duration giveUpAfter,
      MeterRegistry registry) {
    if (giveUpAfter.isNegative() || giveUpAfter.isZero()) {
      throw new IllegalArgumentException(
          "a directory barrier needs a positive give-up time; got " + giveUpAfter);
    }
    this.instance = instance;
    this.store = store;
    this.directory = directory;
    this.buckets = buckets;
    this.writes = writes;
    this.vertx = vertx;
    this.giveUpAfter = giveUpAfter;
    this.acked = outcome(registry, "acked");
    this.expired = outcome(registry, "expired");
    this.gaveUp = outcome(registry, "gave_up");
    this.waits =
        Timer.builder("homeport.directory.barrier.wait")
            .description("How long acknowledged directory barriers waited for writes in flight")
            .publishPercentileHistogram()
            .register(registry);
  }

  private static Counter outcome(MeterRegistry registry, String outcome) {
    return Counter.builder("homeport.directory.barriers")
        .description("Directory barriers handled by this instance, by outcome")
        .tag("outcome", outcome)
        .register(registry);
  }

  /** Handles an announcement of the barrier with this id; never fails. */
  public void requested(String id) {
    if (closed || !open.add(id)) {
      return;
    }
    CompletionStage<Boolean> waiting;
    try {
      waiting =
          store
              .barrier(id)
              .thenCombine(store.acknowledged(id, instance), Found::new)
              .thenCompose(found -> start(id, found.barrier(), found.acknowledged()));
    } catch (RuntimeException e) {
      waiting = CompletableFuture.failedFuture(e);
    }
    waiting.whenComplete(
        (started, error) -> {
          if (error != null) {
            log.warn(
                "Cannot handle directory barrier {}: {}; handled again when the operator"
                    + " repeats it",
                id,
                cause(error).toString());
          }
          if (error != null || !started) {
            open.remove(id);
          }
        });
  }

  private record Found(Optional<DirectoryBarrier> barrier, boolean acknowledged) {}

  /**
   * What a barrier waits for: writes begun before {@code mark} for a key {@code affected} names.
   *
   * @param size how many keys or buckets the barrier names, for the acknowledgement
   */
  private record Waiting(Predicate<String> affected, int size, long mark, String what) {}

  /**
   * Begins waiting for the barrier's writes; completes with false when there is nothing to wait
   * for.
   */
  private CompletionStage<Boolean> start(
      String id, Optional<DirectoryBarrier> found, boolean acknowledged) {
    if (found.isEmpty()) {
      expired.increment();
      log.debug("Directory barrier {} has expired; ignored", id);
      return CompletableFuture.completedFuture(false);
    }
    if (acknowledged) {
      log.debug("Directory barrier {} is acknowledged already", id);
      return CompletableFuture.completedFuture(false);
    }
    DirectoryBarrier barrier = found.get();
    if (barrier.isForBuckets()) {
      if (barrier.buckets().stream().anyMatch(Objects::isNull)) {
        throw new IllegalArgumentException(
            "barrier " + id + " in " + RedisKeys.barrier(id) + " lists a null bucket");
      }
      Set<Integer> wanted = Set.copyOf(barrier.buckets());
      return buckets
          .refresh(wanted)
          .thenApply(
              loaded -> {
                // Taken after the reload: a write ticketed from here on sees the bucket's entry.
                long mark = writes.mark();
                Predicate<String> inBuckets = key -> wanted.contains(buckets.bucketOf(key));
                poll(
                    id,
                    new Waiting(inBuckets, wanted.size(), mark, "buckets " + wanted),
                    System.nanoTime());
                return true;
              });
    }
    if (barrier.keys() == null || barrier.keys().stream().anyMatch(Objects::isNull)) {
      throw new IllegalArgumentException(
          "barrier " + id + " in " + RedisKeys.barrier(id) + " lists no keys or a null key");
    }
    Set<String> keys = Set.copyOf(barrier.keys());
    keys.forEach(directory::invalidate);
    // Taken after invalidating: a write ticketed from here on looks its home up afresh.
    long mark = writes.mark();
    poll(id, new Waiting(keys::contains, keys.size(), mark, "keys"), System.nanoTime());
    return CompletableFuture.completedFuture(true);
  }

  private void poll(String id, Waiting waiting, long startedNanos) {
    if (closed) {
      open.remove(id);
      return;
    }
    long waitedNanos = System.nanoTime() - startedNanos;
    if (writes.drained(waiting.affected(), waiting.mark())) {
      acknowledge(id, waiting.size(), waitedNanos);
      return;
    }
    if (waitedNanos >= giveUpAfter.toNanos()) {
      gaveUp.increment();
      open.remove(id);
      log.warn(
          "Directory barrier {} given up after {} ms: writes for {} are still in flight; not"
              + " acknowledged, so the operator rolls the move back",
          id,
          TimeUnit.NANOSECONDS.toMillis(waitedNanos),
          waiting.what() + " " + writes.inFlight(waiting.affected(), waiting.mark()));
      return;
    }
    vertx.setTimer(POLL_MILLIS, timer -> poll(id, waiting, startedNanos));
  }

  private void acknowledge(String id, int size, long waitedNanos) {
    BarrierAck ack = new BarrierAck(instance, size, TimeUnit.NANOSECONDS.toMillis(waitedNanos));
    store
        .acknowledge(id, ack)
        .whenComplete(
            (recorded, error) -> {
              open.remove(id);
              if (error != null) {
                log.warn(
                    "Cannot acknowledge directory barrier {}: {}; handled again when the operator"
                        + " repeats it",
                    id,
                    cause(error).toString());
              } else if (recorded) {
                acked.increment();
                waits.record(waitedNanos, TimeUnit.NANOSECONDS);
                log.debug(
                    "Directory barrier {} acknowledged: {} keys or buckets, waited {} ms",
                    id,
                    size,
                    ack.waitedMillis());
              } else {
                expired.increment();
                log.debug("Directory barrier {} expired while its writes finished", id);
              }
            });
  }

  private static Throwable cause(Throwable error) {
    return error instanceof CompletionException && error.getCause() != null
        ? error.getCause()
        : error;
  }

  /** Stops waiting: barriers still open are left unacknowledged. */
  @Override
  public void close() {
    closed = true;
  }
}
