package dev.homeport.frontdoor.crdt;

import io.lettuce.core.api.StatefulConnection;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import java.util.function.IntConsumer;
import java.util.function.ToLongFunction;

/**
 * Absorbs increments in memory and writes them to Redis in pipelined batches: every increment of
 * one counter within a batch becomes one {@code HINCRBY} per sign, and all of a batch's commands
 * leave in one flush. Callers are answered when their batch is in Redis, so an acknowledged
 * increment is never only in memory.
 *
 * <p>Batches are group commits: when no batch is being written, an increment starts one at once
 * (lowest latency when idle); while one is being written, increments gather and leave together as
 * soon as it is answered (throughput under load). {@link #tick()}, called on a fixed interval,
 * starts a batch in any case, which bounds the wait when Redis is slow. Every batch is written on
 * the one flusher thread, the only user of the connection; {@link #add} may be called by any.
 */
public final class CounterBatcher {

  /** One counter's increments waiting for the next batch; all its callers share one answer. */
  private static final class Pending {
    long increments;
    long decrements;
    final long expiresAtMillis;
    final CompletableFuture<PnCounter> flushed = new CompletableFuture<>();

    /** Set, under the lock, once Redis answered and {@code onFlushed} was told the new state. */
    boolean written;

    Pending(long expiresAtMillis) {
      this.expiresAtMillis = expiresAtMillis;
    }
  }

  private final CounterStore store;
  private final StatefulConnection<String, String> connection;
  private final BiConsumer<String, PnCounter> onFlushed;
  private final Executor flusher;
  private final IntConsumer onBatch;
  private final AtomicInteger writing = new AtomicInteger();
  private final AtomicBoolean startQueued = new AtomicBoolean();
  private final Object lock = new Object();
  // Guarded by lock: what waits, what is being written, and the hand-over of a written entry to
  // onFlushed, so that view() sees every accepted increment in exactly one place.
  private HashMap<String, Pending> pending = new HashMap<>();
  private final Set<Map<String, Pending>> beingWritten = new HashSet<>();
  private long pendingIncrements;

  /**
   * @param store writes through {@code connection}, which must not flush by itself ({@code
   *     setAutoFlushCommands(false)}) and must not be shared with other writers
   * @param onFlushed told each counter's state after a batch raised it; called under the batcher's
   *     lock (see {@link #view}), so it must be short and must not call the batcher
   * @param flusher a single thread that writes every batch
   * @param onBatch told how many counters each batch wrote
   */
  public CounterBatcher(
      CounterStore store,
      StatefulConnection<String, String> connection,
      BiConsumer<String, PnCounter> onFlushed,
      Executor flusher,
      IntConsumer onBatch) {
    this.store = store;
    this.connection = connection;
    this.onFlushed = onFlushed;
    this.flusher = flusher;
    this.onBatch = onBatch;
  }

  /** Batches being written. */
  public int writing() {
    return writing.get();
  }

  /**
   * Adds {@code delta} to this region's slot in the next batch; completes with the counter's state
   * once the batch is in Redis.
   *
   * @param expiresAtMillis Unix time the counter expires at, or 0 to keep it
   * @throws ArithmeticException when the batch's sum for the counter would overflow
   */
  public CompletionStage<PnCounter> add(String name, long delta, long expiresAtMillis) {
    if (delta == Long.MIN_VALUE) {
      throw new ArithmeticException("delta " + delta + " overflows a counter slot");
    }
    Pending entry;
    synchronized (lock) {
      entry = pending.computeIfAbsent(name, n -> new Pending(expiresAtMillis));
      if (delta > 0) {
        entry.increments = Math.addExact(entry.increments, delta);
      } else {
        entry.decrements = Math.addExact(entry.decrements, -delta);
      }
      pendingIncrements++;
    }
    startIfIdle();
    return entry.flushed;
  }

  /** Starts a batch on the flusher unless one is being written (it takes these on its return). */
  private void startIfIdle() {
    if (writing.get() == 0 && startQueued.compareAndSet(false, true)) {
      flusher.execute(
          () -> {
            startQueued.set(false);
            if (writing.get() == 0) {
              write();
            }
          });
    }
  }

  /**
   * Starts a batch of whatever is waiting, even while another is being written; call on the flusher
   * thread at the configured interval.
   */
  public void tick() {
    write();
  }

  private void write() {
    if (pendingIncrements() == 0) {
      return;
    }
    writing.incrementAndGet();
    flush()
        .whenComplete(
            (count, error) -> {
              writing.decrementAndGet();
              if (pendingIncrements() > 0) {
                startIfIdle();
              }
            });
  }

  /**
   * What {@code reported} says of {@code name} (the caller's record of what {@code onFlushed} told
   * it) plus the net amount accepted for {@code name} and not yet reported: waiting or being
   * written. Both are read under the lock that a batch's answer is handed over under, so an
   * increment is counted exactly once however the read and the batch interleave: never twice
   * (reported and still being written; waiting and already taken into a batch), never missed (no
   * longer waiting, not yet reported).
   */
  public long view(String name, ToLongFunction<String> reported) {
    synchronized (lock) {
      long net = reported.applyAsLong(name);
      Pending waiting = pending.get(name);
      if (waiting != null) {
        net += waiting.increments - waiting.decrements;
      }
      for (Map<String, Pending> batch : beingWritten) {
        Pending entry = batch.get(name);
        if (entry != null && !entry.written) {
          net += entry.increments - entry.decrements;
        }
      }
      return net;
    }
  }

  /** Increments accepted so far but not yet written. */
  public long pendingIncrements() {
    synchronized (lock) {
      return pendingIncrements;
    }
  }

  /**
   * Writes everything waiting as one pipelined batch; completes when Redis has answered it. Returns
   * how many counters the batch touched.
   */
  public CompletionStage<Integer> flush() {
    Map<String, Pending> batch;
    synchronized (lock) {
      if (pending.isEmpty()) {
        return CompletableFuture.completedFuture(0);
      }
      batch = pending;
      pending = new HashMap<>();
      pendingIncrements = 0;
      beingWritten.add(batch);
    }
    List<CompletableFuture<?>> answers = new ArrayList<>(batch.size());
    batch.forEach(
        (name, entry) ->
            answers.add(
                store
                    .add(name, entry.increments, entry.decrements, entry.expiresAtMillis)
                    .whenComplete(
                        (state, error) -> {
                          synchronized (lock) {
                            if (error == null) {
                              onFlushed.accept(name, state);
                            }
                            entry.written = true;
                          }
                          if (error != null) {
                            entry.flushed.completeExceptionally(error);
                          } else {
                            entry.flushed.complete(state);
                          }
                        })
                    .toCompletableFuture()));
    connection.flushCommands();
    onBatch.accept(batch.size());
    return CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new))
        .handle(
            (v, e) -> {
              synchronized (lock) {
                beingWritten.remove(batch);
              }
              return batch.size();
            });
  }
}
