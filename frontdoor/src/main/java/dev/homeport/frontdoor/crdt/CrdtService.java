package dev.homeport.frontdoor.crdt;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.homeport.frontdoor.config.BoundedCounter;
import dev.homeport.frontdoor.config.CrdtSettings;
import dev.homeport.frontdoor.crdt.HybridLogicalClock.ClockSkewException;
import dev.homeport.frontdoor.crdt.ReplicationBacklog.Kind;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The front-door's CRDT state: counters (batched increments, bounded counters with oversell
 * reports), last-writer-wins registers on a hybrid logical clock, the merge of shipments from
 * peers, and the view global quotas decide by. HTTP lives in {@link CrdtApi}; Redis in {@link
 * CounterStore}; shipping to peers in {@link Replication}.
 */
public final class CrdtService {

  private static final Logger log = LoggerFactory.getLogger(CrdtService.class);

  /** A decrement of a bounded counter refused because this region's view would go below floor. */
  public static final class InsufficientException extends RuntimeException {
    private final PnCounter state;
    private final long floor;

    InsufficientException(String name, PnCounter state, long floor, long delta) {
      super(
          "counter "
              + name
              + " is "
              + state.value()
              + "; subtracting "
              + Math.abs(delta)
              + " would take it below its floor of "
              + floor);
      this.state = state;
      this.floor = floor;
    }

    public PnCounter state() {
      return state;
    }

    public long floor() {
      return floor;
    }
  }

  /** What a peer's shipment did here. */
  public record MergeOutcome(
      int countersRaised, int registersWritten, Map<String, String> deferredRegisters) {}

  private final String region;
  private final CrdtSettings settings;
  private final CounterStore store;
  private final CounterBatcher batcher;
  private final HybridLogicalClock clock;
  private final Supplier<List<String>> regions;
  private final Cache<String, PnCounter> known =
      Caffeine.newBuilder().maximumSize(200_000).expireAfterWrite(Duration.ofMinutes(10)).build();
  private final ScheduledExecutorService flusher =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread thread = new Thread(r, "homeport-crdt-flush");
            thread.setDaemon(true);
            return thread;
          });
  private final Counter increments;
  private final DistributionSummary batchSize;
  private final Counter mergedSlots;
  private final Counter deferred;
  private final Counter oversells;
  private Replication replication;
  private volatile boolean closed;
  private volatile boolean warnedCompensator;

  /**
   * @param store on a connection that flushes by itself
   * @param batchStore on a connection of its own that does not ({@link CounterBatcher})
   * @param regions every region in the routing table (the default compensating region is the first
   *     by name)
   */
  public CrdtService(
      String region,
      CrdtSettings settings,
      CounterStore store,
      CounterStore batchStore,
      io.lettuce.core.api.StatefulConnection<String, String> batchConnection,
      Supplier<List<String>> regions,
      MeterRegistry registry) {
    this.region = region;
    this.settings = settings;
    this.store = store;
    this.regions = regions;
    this.clock = new HybridLogicalClock(region, System::currentTimeMillis, settings.maxSkew());
    this.batchSize =
        DistributionSummary.builder("homeport.crdt.flush.counters")
            .description("Counters written per pipelined batch")
            .register(registry);
    this.batcher =
        new CounterBatcher(batchStore, batchConnection, this::flushed, flusher, batchSize::record);
    this.increments =
        Counter.builder("homeport.crdt.increments")
            .description("Counter increments accepted through the API and quotas")
            .register(registry);
    this.mergedSlots =
        Counter.builder("homeport.crdt.merged.slots")
            .description("Counter slots raised by shipments from peer regions")
            .register(registry);
    this.deferred =
        Counter.builder("homeport.crdt.registers.deferred")
            .description("Replicated register writes deferred: stamped beyond the clock-skew guard")
            .register(registry);
    this.oversells =
        Counter.builder("homeport.crdt.oversold")
            .description("Units oversold on bounded counters, as recorded in compensation streams")
            .register(registry);
    Gauge.builder("homeport.crdt.pending.increments", batcher, CounterBatcher::pendingIncrements)
        .description("Increments accepted and waiting for the next batch to Redis")
        .register(registry);
  }

  /** Starts the flusher and replication. */
  public void start(Replication replication) {
    this.replication = replication;
    long micros = settings.flushInterval().toNanos() / 1000;
    flusher.scheduleWithFixedDelay(this::flushQuietly, micros, micros, TimeUnit.MICROSECONDS);
    replication.start();
  }

  public String region() {
    return region;
  }

  public Replication replication() {
    return replication;
  }

  // ---- counters

  /**
   * Adds {@code delta} to a counter; completes with its state once the increment is in Redis.
   *
   * @throws ArithmeticException when the delta cannot be added without overflowing
   */
  public CompletionStage<PnCounter> increment(String name, long delta) {
    if (closed) {
      return CompletableFuture.failedFuture(new IllegalStateException("front-door is stopping"));
    }
    BoundedCounter bound = settings.boundFor(name);
    if (bound == null) {
      increments.increment();
      return batcher.add(name, delta, 0);
    }
    return store
        .addBounded(name, delta, bound.floor())
        .thenApply(
            result -> {
              if (!result.applied()) {
                throw new InsufficientException(name, result.state(), bound.floor(), delta);
              }
              increments.increment();
              flushed(name, result.state());
              return result.state();
            })
        .thenCompose(
            state ->
                checkOversell(name, bound, System.currentTimeMillis()).thenApply(amount -> state));
  }

  /** The counter as this region's Redis holds it (0 with no slots if it never counted). */
  public CompletionStage<PnCounter> read(String name) {
    return store.read(name);
  }

  /** The floor of a bounded counter, or null. */
  public Long floor(String name) {
    BoundedCounter bound = settings.boundFor(name);
    return bound == null ? null : bound.floor();
  }

  /** Seconds since each peer's last complete shipment; null for a peer never heard from. */
  public CompletionStage<Map<String, Double>> staleness() {
    List<String> peers = replication == null ? List.of() : replication.peers();
    return store
        .peersSeen(peers)
        .thenApply(
            seen -> {
              long now = System.currentTimeMillis();
              Map<String, Double> staleness = new LinkedHashMap<>();
              for (String peer : peers) {
                Long at = seen.get(peer);
                staleness.put(peer, at == null ? null : Math.max(0, now - at) / 1000.0);
              }
              return staleness;
            });
  }

  /**
   * A counter's value as this front-door knows it without asking Redis, for quota decisions: the
   * last state Redis answered with, plus increments accepted here and not yet answered, each
   * counted once.
   */
  public long localView(String name) {
    return batcher.view(
        name,
        counter -> {
          PnCounter state = known.getIfPresent(counter);
          return state == null ? 0 : state.value();
        });
  }

  /** Counts one request against a quota counter; not waited for. */
  public void count(String name) {
    if (!closed) {
      increments.increment();
      batcher.add(name, 1, CrdtNames.expiresAt(name));
    }
  }

  private void flushed(String name, PnCounter state) {
    known.asMap().merge(name, state, PnCounter::merge);
    if (replication != null) {
      replication.changed(Kind.COUNTER, name, null);
    }
  }

  private void flushQuietly() {
    try {
      batcher.tick();
    } catch (RuntimeException e) {
      log.error("Counter batch failed", e);
    }
  }

  // ---- registers

  /** Writes a register, stamped by this front-door's clock after anything it has seen stored. */
  public CompletionStage<LwwRegister> put(String name, String value) {
    if (closed) {
      return CompletableFuture.failedFuture(new IllegalStateException("front-door is stopping"));
    }
    return put(name, value, 0);
  }

  private CompletionStage<LwwRegister> put(String name, String value, int attempt) {
    LwwRegister write = new LwwRegister(value, clock.now());
    return store
        .write(name, write)
        .thenCompose(
            stored -> {
              if (stored.isEmpty()) {
                if (replication != null) {
                  replication.changed(Kind.REGISTER, name, null);
                }
                return CompletableFuture.completedFuture(write);
              }
              // Redis holds a later write this clock had not seen (another replica, a restart):
              // move the clock past it, so this write, which comes after it, wins.
              if (attempt >= 3) {
                return CompletableFuture.failedFuture(
                    new IllegalStateException(
                        "register " + name + " keeps being overwritten by later writes"));
              }
              try {
                clock.observe(stored.get().timestamp());
              } catch (ClockSkewException e) {
                return CompletableFuture.failedFuture(e);
              }
              return put(name, value, attempt + 1);
            });
  }

  public CompletionStage<Optional<LwwRegister>> get(String name) {
    return store.readRegister(name);
  }

  // ---- shipments from peers

  /** Merges a peer's shipment into this region's Redis. */
  public CompletionStage<MergeOutcome> merge(MergeBatch batch) {
    long now = System.currentTimeMillis();
    List<CompletableFuture<Boolean>> counters = new ArrayList<>();
    batch
        .counters()
        .forEach(
            (name, state) -> {
              long expiresAt = CrdtNames.expiresAt(name);
              if (expiresAt != 0 && expiresAt < now) {
                return; // a quota window long over
              }
              counters.add(
                  store
                      .merge(name, state, expiresAt)
                      .thenCompose(merged -> merged(batch.from(), name, merged, now))
                      .toCompletableFuture());
            });
    Map<String, String> deferredRegisters = new LinkedHashMap<>();
    List<CompletableFuture<Boolean>> registers = new ArrayList<>();
    batch
        .registers()
        .forEach(
            (name, write) -> {
              try {
                clock.observe(write.timestamp());
              } catch (ClockSkewException e) {
                deferred.increment();
                deferredRegisters.put(name, e.getMessage());
                return;
              }
              registers.add(
                  store
                      .write(name, write)
                      .thenApply(
                          stored -> {
                            if (stored.isEmpty()) {
                              replication.changed(Kind.REGISTER, name, batch.from());
                            }
                            return stored.isEmpty();
                          })
                      .toCompletableFuture());
            });
    if (!deferredRegisters.isEmpty()) {
      log.warn(
          "Deferred {} register writes from {}: {}",
          deferredRegisters.size(),
          batch.from(),
          deferredRegisters.values().iterator().next());
    }
    List<CompletableFuture<?>> all = new ArrayList<>(counters);
    all.addAll(registers);
    CompletableFuture<?> done = CompletableFuture.allOf(all.toArray(CompletableFuture[]::new));
    if (batch.complete()) {
      done = done.thenCompose(v -> store.markPeerSeen(batch.from(), now));
    }
    return done.thenApply(
        v ->
            new MergeOutcome(
                (int) counters.stream().filter(CompletableFuture::join).count(),
                (int) registers.stream().filter(CompletableFuture::join).count(),
                deferredRegisters));
  }

  private CompletionStage<Boolean> merged(
      String from, String name, CounterStore.Merged merged, long now) {
    if (merged.raised() == 0) {
      return CompletableFuture.completedFuture(false);
    }
    mergedSlots.increment(merged.raised());
    // Only the peers' slots: this region's may already hold a batch whose answer, and with it the
    // hand-over from waiting to known, has not arrived yet; counted in both, it would be counted
    // twice. This region's slots are taken from its own batches' answers.
    known.asMap().merge(name, merged.state().withoutRegion(region), PnCounter::merge);
    replication.changed(Kind.COUNTER, name, from);
    BoundedCounter bound = settings.boundFor(name);
    if (bound == null) {
      return CompletableFuture.completedFuture(true);
    }
    return checkOversell(name, bound, now).thenApply(amount -> true);
  }

  /**
   * In the compensating region: records a new oversell of a bounded counter in its compensation
   * stream, or, once the counter is back at or above its floor, starts counting afresh.
   */
  private CompletionStage<Long> checkOversell(String name, BoundedCounter bound, long now) {
    if (!region.equals(compensatingRegion(bound))) {
      return CompletableFuture.completedFuture(0L);
    }
    return store
        .reportOversell(name, bound.floor(), now)
        .thenApply(
            amount -> {
              if (amount > 0) {
                oversells.increment(amount);
                log.warn(
                    "Counter {} oversold by {} more (floor {}); compensation event in {}",
                    name,
                    amount,
                    bound.floor(),
                    CounterStore.compensationStream(name));
              }
              return amount;
            });
  }

  private String compensatingRegion(BoundedCounter bound) {
    List<String> known = regions.get();
    if (bound.compensatedBy() != null) {
      if (known.isEmpty() || known.contains(bound.compensatedBy())) {
        return bound.compensatedBy();
      }
      if (!warnedCompensator) {
        warnedCompensator = true;
        log.warn(
            "crdt.bounded compensatedBy '{}' (prefix {}) is not a region of the routing table {};"
                + " the first region by name records compensation events instead",
            bound.compensatedBy(),
            bound.prefix(),
            known);
      }
    }
    List<String> all = new ArrayList<>(known);
    if (!all.contains(region)) {
      all.add(region);
    }
    return all.stream().sorted().findFirst().orElse(region);
  }

  // ---- shutdown

  /**
   * Stops taking increments, writes what is waiting, then ships what peers still lack (up to {@code
   * drain}).
   */
  public Future<Void> close(Duration drain) {
    closed = true;
    long deadline = System.nanoTime() + drain.toNanos();
    CompletableFuture<Void> written =
        CompletableFuture.runAsync(
            () -> {
              // On the flusher thread, the connection's only user: write what waits, wait for
              // batches still being answered, then write anything that slipped in meanwhile.
              batcher.flush().toCompletableFuture().join();
              while (batcher.writing() > 0 && System.nanoTime() < deadline) {
                LockSupport.parkNanos(1_000_000);
              }
              batcher.flush().toCompletableFuture().join();
            },
            flusher);
    Future<Void> flushed =
        Future.fromCompletionStage(written)
            .onFailure(e -> log.error("Final counter batch failed", e))
            .eventually(
                () -> {
                  flusher.shutdown();
                  return Future.succeededFuture();
                });
    return flushed
        .eventually(() -> replication == null ? Future.succeededFuture() : replication.drain(drain))
        .mapEmpty();
  }
}
