package dev.homeport.frontdoor.crdt;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * CRDT counters in the region's Redis: one hash per counter, one field per region and sign. This
 * region raises only its own fields ({@code HINCRBY}); remote states are merged by the merge
 * script, called by its SHA and loaded again when Redis has forgotten it (after a restart).
 */
public final class CounterStore {

  static final String MERGE_SCRIPT = readScript("merge-counter.lua");

  private final RedisAsyncCommands<String, String> redis;
  private final String region;
  private volatile String mergeSha;

  public CounterStore(StatefulRedisConnection<String, String> connection, String region) {
    this.redis = connection.async();
    this.region = region;
  }

  /** The Redis key of a counter; the hash tag keeps it in one Cluster slot. */
  public static String key(String name) {
    return "{homeport:counter:" + name + "}";
  }

  /** Adds {@code delta} to this region's slot of the counter (negative: the decrement slot). */
  public CompletionStage<Long> add(String name, long delta) {
    if (delta == 0) {
      return CompletableFuture.completedFuture(0L);
    }
    if (delta == Long.MIN_VALUE) {
      throw new ArithmeticException("delta " + delta + " overflows a counter slot");
    }
    return redis.hincrby(key(name), PnCounter.slot(region, delta > 0), Math.abs(delta));
  }

  /** The counter's merged state as this region's Redis holds it. */
  public CompletionStage<PnCounter> read(String name) {
    return redis
        .hgetall(key(name))
        .thenApply(
            fields -> {
              Map<String, Long> slots = new HashMap<>();
              fields.forEach((slot, count) -> slots.put(slot, Long.parseLong(count)));
              return PnCounter.of(slots);
            });
  }

  /** Merges a (delta) state from another region; returns how many slots it raised. */
  public CompletionStage<Long> merge(String name, PnCounter state) {
    if (state.slots().isEmpty()) {
      return CompletableFuture.completedFuture(0L);
    }
    List<String> args = new ArrayList<>();
    state
        .slots()
        .forEach(
            (slot, count) -> {
              args.add(slot);
              args.add(Long.toString(count));
            });
    String[] argv = args.toArray(String[]::new);
    return sha()
        .thenCompose(sha -> evalMerge(sha, name, argv))
        .exceptionallyCompose(
            error -> {
              if (rootCause(error) instanceof RedisNoScriptException) {
                mergeSha = null;
                return sha().thenCompose(sha -> evalMerge(sha, name, argv));
              }
              return CompletableFuture.failedFuture(error);
            });
  }

  private CompletionStage<Long> evalMerge(String sha, String name, String[] argv) {
    return redis.<Long>evalsha(sha, ScriptOutputType.INTEGER, new String[] {key(name)}, argv);
  }

  private CompletionStage<String> sha() {
    String sha = mergeSha;
    if (sha != null) {
      return CompletableFuture.completedFuture(sha);
    }
    return redis
        .scriptLoad(MERGE_SCRIPT)
        .thenApply(
            loaded -> {
              mergeSha = loaded;
              return loaded;
            });
  }

  private static Throwable rootCause(Throwable error) {
    Throwable cause = error;
    while (cause.getCause() != null && cause.getCause() != cause) {
      cause = cause.getCause();
    }
    return cause;
  }

  private static String readScript(String name) {
    try (InputStream in = CounterStore.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
