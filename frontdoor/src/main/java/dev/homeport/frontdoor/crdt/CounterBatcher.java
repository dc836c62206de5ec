package dev.homeport.frontdoor.crdt;

import io.lettuce.core.api.StatefulConnection;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BiConsumer;

/**
 * Absorbs increments in memory and writes them to Redis in pipelined batches: every increment of
 * one counter within a batch becomes one {@code HINCRBY} per sign, and all of a batch's commands
 * leave in one flush. Callers are answered when their batch is in Redis, so an acknowledged
 * increment is never only in memory. {@link #flush()} is called by one thread at a time (the
 * flusher); {@link #add} by any.
 */
public final class CounterBatcher {

  /** One counter's increments waiting for the next batch; all its callers share one answer. */
  private static final class Pending {
    long increments;
    long decrements;
    final long expiresAtMillis;
    final CompletableFuture<PnCounter> flushed = new CompletableFuture<>();

    Pending(long expiresAtMillis) {
      this.expiresAtMillis = expiresAtMillis;
    }
  }

  private final CounterStore store;
  private final StatefulConnection<String, String> connection;
  private final BiConsumer<String, PnCounter> onFlushed;
  private final Object lock = new Object();
  private HashMap<String, Pending> pending = new HashMap<>();
  private long pendingIncrements;

  /**
   * @param store writes through {@code connection}, which must not flush by itself ({@code
   *     setAutoFlushCommands(false)}) and must not be shared with other writers
   * @param onFlushed told each counter's state after a batch raised it
   */
  public CounterBatcher(
      CounterStore store,
      StatefulConnection<String, String> connection,
      BiConsumer<String, PnCounter> onFlushed) {
    this.store = store;
    this.connection = connection;
    this.onFlushed = onFlushed;
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
    synchronized (lock) {
      Pending entry = pending.computeIfAbsent(name, n -> new Pending(expiresAtMillis));
      if (delta > 0) {
        entry.increments = Math.addExact(entry.increments, delta);
      } else {
        entry.decrements = Math.addExact(entry.decrements, -delta);
      }
      pendingIncrements++;
      return entry.flushed;
    }
  }

  /** The net amount waiting in memory for {@code name} (not yet in Redis). */
  public long pending(String name) {
    synchronized (lock) {
      Pending entry = pending.get(name);
      return entry == null ? 0 : entry.increments - entry.decrements;
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
    }
    List<CompletableFuture<?>> answers = new ArrayList<>(batch.size());
    batch.forEach(
        (name, entry) ->
            answers.add(
                store
                    .add(name, entry.increments, entry.decrements, entry.expiresAtMillis)
                    .whenComplete(
                        (state, error) -> {
                          if (error != null) {
                            entry.flushed.completeExceptionally(error);
                          } else {
                            onFlushed.accept(name, state);
                            entry.flushed.complete(state);
                          }
                        })
                    .toCompletableFuture()));
    connection.flushCommands();
    return CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new))
        .handle((v, e) -> batch.size());
  }
}
