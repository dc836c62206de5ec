package dev.homeport.frontdoor.crdt;

import io.lettuce.core.KeyValue;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * CRDT state in the region's Redis. A counter is one hash, one field per region and sign; this
 * region raises only its own fields ({@code HINCRBY}) and merges remote states with a script that
 * keeps each field's maximum. A register is one hash holding a value and its hybrid-logical-clock
 * timestamp, written only by a later timestamp. Every key carries a hash tag, so a counter and its
 * companions stay in one Cluster slot.
 */
public final class CounterStore {

  /** Longest a compensation stream grows (approximately; Redis trims whole nodes). */
  static final long COMPENSATION_STREAM_MAX = 100_000;

  private static final RedisScript MERGE =
      new RedisScript("merge-counter.lua", ScriptOutputType.MULTI);
  private static final RedisScript BOUNDED_ADD =
      new RedisScript("bounded-add.lua", ScriptOutputType.MULTI);
  private static final RedisScript REPORT_OVERSELL =
      new RedisScript("report-oversell.lua", ScriptOutputType.INTEGER);
  private static final RedisScript LWW_SET = new RedisScript("lww-set.lua", ScriptOutputType.MULTI);

  private static final String COUNTER_PREFIX = "{homeport:counter:";
  private static final String REGISTER_PREFIX = "{homeport:register:";

  /** A merge's outcome: how many slots it raised and the counter's state after it. */
  public record Merged(long raised, PnCounter state) {}

  /** A bounded add's outcome: whether it was applied and the counter's state after it. */
  public record Bounded(boolean applied, PnCounter state) {}

  private final RedisClusterAsyncCommands<String, String> redis;
  private final String region;

  public CounterStore(RedisClusterAsyncCommands<String, String> redis, String region) {
    this.redis = redis;
    this.region = region;
  }

  public String region() {
    return region;
  }

  /** The Redis key of a counter. */
  public static String key(String name) {
    return COUNTER_PREFIX + name + "}";
  }

  /** The Redis key of a register. */
  public static String registerKey(String name) {
    return REGISTER_PREFIX + name + "}";
  }

  /** The stream a bounded counter's compensation events are appended to. */
  public static String compensationStream(String name) {
    return key(name) + ":compensation";
  }

  static String oversoldKey(String name) {
    return key(name) + ":oversold-reported";
  }

  static String peerSeenKey(String peer) {
    return "{homeport}:crdt:seen:" + peer;
  }

  /**
   * Raises this region's increment and decrement slots by the given amounts and returns the
   * counter's state after it.
   *
   * @param expiresAtMillis Unix time the counter expires at, or 0 to keep it
   */
  public CompletionStage<PnCounter> add(
      String name, long increments, long decrements, long expiresAtMillis) {
    String key = key(name);
    CompletionStage<Long> p =
        increments > 0
            ? redis.hincrby(key, PnCounter.slot(region, true), increments)
            : CompletableFuture.completedFuture(0L);
    CompletionStage<Long> n =
        decrements > 0
            ? redis.hincrby(key, PnCounter.slot(region, false), decrements)
            : CompletableFuture.completedFuture(0L);
    if (expiresAtMillis > 0) {
      redis.pexpireat(key, expiresAtMillis);
    }
    CompletionStage<Map<String, String>> fields = redis.hgetall(key);
    return p.thenCombine(n, (a, b) -> a).thenCompose(v -> fields).thenApply(CounterStore::counter);
  }

  /**
   * Adds {@code delta} to this region's slot unless it is a decrement that would take the value
   * this region sees below {@code floor}; check and add are one atomic step.
   */
  public CompletionStage<Bounded> addBounded(String name, long delta, long floor) {
    if (delta == 0 || delta == Long.MIN_VALUE) {
      throw new IllegalArgumentException("delta must be non-zero and above " + Long.MIN_VALUE);
    }
    return BOUNDED_ADD
        .<List<Object>>call(
            redis,
            new String[] {key(name)},
            PnCounter.slot(region, delta > 0),
            Long.toString(Math.abs(delta)),
            Long.toString(floor),
            delta < 0 ? "1" : "0")
        .thenApply(
            reply ->
                new Bounded(((Long) reply.get(0)) == 1L, counter(reply.subList(1, reply.size()))));
  }

  /** The counter's merged state as this region's Redis holds it. */
  public CompletionStage<PnCounter> read(String name) {
    return redis.hgetall(key(name)).thenApply(CounterStore::counter);
  }

  /** Merges a (delta) state from another region. */
  public CompletionStage<Merged> merge(String name, PnCounter state, long expiresAtMillis) {
    List<String> args = new ArrayList<>();
    args.add(Long.toString(expiresAtMillis));
    state
        .slots()
        .forEach(
            (slot, count) -> {
              args.add(slot);
              args.add(Long.toString(count));
            });
    return MERGE
        .<List<Object>>call(redis, new String[] {key(name)}, args.toArray(String[]::new))
        .thenApply(
            reply -> new Merged((Long) reply.get(0), counter(reply.subList(1, reply.size()))));
  }

  /**
   * Records an oversell of a bounded counter in its compensation stream, once per amount; returns
   * the amount newly recorded (0 when nothing new).
   */
  public CompletionStage<Long> reportOversell(String name, long floor, long nowMillis) {
    return REPORT_OVERSELL.call(
        redis,
        new String[] {key(name), oversoldKey(name), compensationStream(name)},
        Long.toString(floor),
        name,
        region,
        Long.toString(nowMillis),
        Long.toString(COMPENSATION_STREAM_MAX));
  }

  /**
   * Writes a register if {@code write} is later than what Redis holds; returns empty when written,
   * else the stored, later write.
   */
  public CompletionStage<Optional<LwwRegister>> write(String name, LwwRegister write) {
    HlcTimestamp ts = write.timestamp();
    return LWW_SET
        .<List<Object>>call(
            redis,
            new String[] {registerKey(name)},
            write.value(),
            Long.toString(ts.physicalMillis()),
            Integer.toString(ts.logical()),
            ts.region())
        .thenApply(
            reply -> {
              if ((Long) reply.get(0) == 1L) {
                return Optional.empty();
              }
              return Optional.of(
                  new LwwRegister(
                      (String) reply.get(4),
                      new HlcTimestamp(
                          Long.parseLong((String) reply.get(1)),
                          Integer.parseInt((String) reply.get(2)),
                          (String) reply.get(3))));
            });
  }

  /** The register as this region's Redis holds it. */
  public CompletionStage<Optional<LwwRegister>> readRegister(String name) {
    return redis
        .hmget(registerKey(name), "v", "p", "l", "r")
        .thenApply(
            values -> {
              Map<String, String> fields = new HashMap<>();
              for (KeyValue<String, String> value : values) {
                value.ifHasValue(v -> fields.put(value.getKey(), v));
              }
              if (fields.size() < 4) {
                return Optional.empty();
              }
              return Optional.of(
                  new LwwRegister(
                      fields.get("v"),
                      new HlcTimestamp(
                          Long.parseLong(fields.get("p")),
                          Integer.parseInt(fields.get("l")),
                          fields.get("r"))));
            });
  }

  /** Notes when a complete shipment from {@code peer} last arrived (this region's clock). */
  public CompletionStage<String> markPeerSeen(String peer, long nowMillis) {
    return redis.set(peerSeenKey(peer), Long.toString(nowMillis));
  }

  /** When complete shipments from each of {@code peers} last arrived; absent: never. */
  public CompletionStage<Map<String, Long>> peersSeen(List<String> peers) {
    if (peers.isEmpty()) {
      return CompletableFuture.completedFuture(Map.of());
    }
    Map<String, CompletionStage<String>> reads = new LinkedHashMap<>();
    for (String peer : peers) {
      reads.put(peer, redis.get(peerSeenKey(peer)));
    }
    CompletableFuture<?>[] all =
        reads.values().stream()
            .map(CompletionStage::toCompletableFuture)
            .toArray(CompletableFuture[]::new);
    return CompletableFuture.allOf(all)
        .thenApply(
            v -> {
              Map<String, Long> seen = new LinkedHashMap<>();
              reads.forEach(
                  (peer, read) -> {
                    String value = read.toCompletableFuture().join();
                    if (value != null) {
                      seen.put(peer, Long.parseLong(value));
                    }
                  });
              return seen;
            });
  }

  /** Every counter's name in this region's Redis (for a full sync). */
  public CompletionStage<List<String>> counterNames() {
    return names(COUNTER_PREFIX);
  }

  /** Every register's name in this region's Redis (for a full sync). */
  public CompletionStage<List<String>> registerNames() {
    return names(REGISTER_PREFIX);
  }

  private CompletionStage<List<String>> names(String prefix) {
    List<String> names = new ArrayList<>();
    return scan(ScanCursor.INITIAL, prefix, names).thenApply(v -> names);
  }

  private CompletionStage<Void> scan(ScanCursor cursor, String prefix, List<String> names) {
    ScanArgs args = ScanArgs.Builder.matches(escapeGlob(prefix) + "*").limit(1000);
    return redis
        .scan(cursor, args)
        .thenCompose(
            page -> {
              for (String key : page.getKeys()) {
                // Companions (":compensation", ":oversold-reported") do not end with the brace.
                if (key.endsWith("}")) {
                  names.add(key.substring(prefix.length(), key.length() - 1));
                }
              }
              return page.isFinished()
                  ? CompletableFuture.completedFuture(null)
                  : scan(page, prefix, names);
            });
  }

  private static String escapeGlob(String text) {
    return text.replaceAll("([\\[\\]*?\\\\{}])", "\\\\$1");
  }

  private static PnCounter counter(Map<String, String> fields) {
    Map<String, Long> slots = new HashMap<>();
    fields.forEach((slot, count) -> slots.put(slot, Long.parseLong(count)));
    return PnCounter.of(slots);
  }

  private static PnCounter counter(List<Object> flat) {
    Map<String, Long> slots = new HashMap<>();
    for (int i = 0; i + 1 < flat.size(); i += 2) {
      slots.put((String) flat.get(i), Long.parseLong((String) flat.get(i + 1)));
    }
    return PnCounter.of(slots);
  }
}
