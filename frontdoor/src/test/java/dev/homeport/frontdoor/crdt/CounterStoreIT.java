package dev.homeport.frontdoor.crdt;

import static org.assertj.core.api.Assertions.assertThat;

import dev.homeport.testkit.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Counters in a real Redis: local increments, the merge script, and its reload after a restart. */
class CounterStoreIT {

  private static <T> T get(java.util.concurrent.CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get();
  }

  /** Adds to this region's increment slot, or its decrement slot for a negative delta. */
  private static java.util.concurrent.CompletionStage<PnCounter> add(
      CounterStore store, String name, long delta) {
    return store.add(name, Math.max(delta, 0), Math.max(-delta, 0), 0);
  }

  /** Merges a state that does not expire; completes with how many slots it raised. */
  private static java.util.concurrent.CompletionStage<Long> merge(
      CounterStore store, String name, PnCounter state) {
    return store.merge(name, state, 0).thenApply(CounterStore.Merged::raised);
  }

  @Test
  void twoRegionsIncrementConcurrentlyAndConvergeByMerging() throws Exception {
    try (RedisServer mumbaiRedis = RedisServer.start();
        RedisServer frankfurtRedis = RedisServer.start()) {
      RedisClient a = RedisClient.create(mumbaiRedis.uri());
      RedisClient b = RedisClient.create(frankfurtRedis.uri());
      try (StatefulRedisConnection<String, String> ca = a.connect();
          StatefulRedisConnection<String, String> cb = b.connect()) {
        CounterStore mumbai = new CounterStore(ca.async(), "mumbai");
        CounterStore frankfurt = new CounterStore(cb.async(), "frankfurt");
        for (int i = 0; i < 100; i++) {
          get(add(mumbai, "likes", 1));
          get(add(frankfurt, "likes", 2));
        }
        get(add(frankfurt, "likes", -50));

        PnCounter fromMumbai = get(mumbai.read("likes"));
        PnCounter fromFrankfurt = get(frankfurt.read("likes"));
        assertThat(get(merge(frankfurt, "likes", fromMumbai))).isEqualTo(1);
        assertThat(get(merge(mumbai, "likes", fromFrankfurt))).isEqualTo(2);
        assertThat(get(merge(mumbai, "likes", fromFrankfurt))).as("idempotent").isZero();
        assertThat(get(merge(mumbai, "likes", PnCounter.of(Map.of("frankfurt:p", 10L)))))
            .as("an old delta never lowers a slot")
            .isZero();

        assertThat(get(mumbai.read("likes"))).isEqualTo(get(frankfurt.read("likes")));
        assertThat(get(mumbai.read("likes")).value()).isEqualTo(100 + 200 - 50);
      } finally {
        a.shutdown();
        b.shutdown();
      }
    }
  }

  @Test
  void countsAboveTwoToTheFiftyThreeMergeExactly() throws Exception {
    try (RedisServer redis = RedisServer.start()) {
      RedisClient client = RedisClient.create(redis.uri());
      try (StatefulRedisConnection<String, String> connection = client.connect()) {
        CounterStore store = new CounterStore(connection.async(), "mumbai");
        long big = (1L << 53) + 1;
        get(merge(store, "big", PnCounter.of(Map.of("frankfurt:p", big - 1))));
        assertThat(get(merge(store, "big", PnCounter.of(Map.of("frankfurt:p", big))))).isEqualTo(1);
        assertThat(get(store.read("big")).value()).isEqualTo(big);
      } finally {
        client.shutdown();
      }
    }
  }

  @Test
  void theMergeScriptIsLoadedAgainAfterRedisForgetsIt() throws Exception {
    try (RedisServer redis = RedisServer.start()) {
      RedisClient client = RedisClient.create(redis.uri());
      try (StatefulRedisConnection<String, String> connection = client.connect()) {
        CounterStore store = new CounterStore(connection.async(), "mumbai");
        get(merge(store, "c", PnCounter.of(Map.of("frankfurt:p", 3L))));
        connection.sync().scriptFlush();
        assertThat(get(merge(store, "c", PnCounter.of(Map.of("frankfurt:p", 5L))))).isEqualTo(1);
        assertThat(get(store.read("c")).value()).isEqualTo(5);
      } finally {
        client.shutdown();
      }
    }
  }

  @Test
  void aBoundedDecrementBelowTheFloorIsRefusedAndAnOversellIsRecordedOnce() throws Exception {
    try (RedisServer redis = RedisServer.start()) {
      RedisClient client = RedisClient.create(redis.uri());
      try (StatefulRedisConnection<String, String> connection = client.connect()) {
        CounterStore mumbai = new CounterStore(connection.async(), "mumbai");
        assertThat(get(mumbai.addBounded("stock:sku", 3, 0)).applied()).isTrue();
        assertThat(get(mumbai.addBounded("stock:sku", -2, 0)).state().value()).isEqualTo(1);
        CounterStore.Bounded refused = get(mumbai.addBounded("stock:sku", -2, 0));
        assertThat(refused.applied()).isFalse();
        assertThat(refused.state().value()).as("nothing applied").isEqualTo(1);

        // Singapore sold two concurrently: the merge takes the value to -1.
        get(merge(mumbai, "stock:sku", PnCounter.of(Map.of("singapore:n", 2L))));
        assertThat(get(mumbai.reportOversell("stock:sku", 0, 1_000))).isEqualTo(1);
        assertThat(get(mumbai.reportOversell("stock:sku", 0, 1_001)))
            .as("the same oversell is recorded once")
            .isZero();
        get(merge(mumbai, "stock:sku", PnCounter.of(Map.of("singapore:n", 3L))));
        assertThat(get(mumbai.reportOversell("stock:sku", 0, 1_002))).isEqualTo(1);

        var events =
            connection
                .sync()
                .xrange(
                    CounterStore.compensationStream("stock:sku"),
                    io.lettuce.core.Range.create("-", "+"));
        assertThat(events).hasSize(2);
        assertThat(events.get(0).getBody())
            .containsEntry("counter", "stock:sku")
            .containsEntry("compensate", "1")
            .containsEntry("oversold", "1")
            .containsEntry("value", "-1")
            .containsEntry("detectedBy", "mumbai");
        assertThat(events.get(1).getBody())
            .containsEntry("compensate", "1")
            .containsEntry("oversold", "2");

        // Compensated and restocked: back above the floor, a later oversell counts afresh.
        get(add(mumbai, "stock:sku", 6));
        assertThat(get(mumbai.reportOversell("stock:sku", 0, 1_003))).isZero();
        get(merge(mumbai, "stock:sku", PnCounter.of(Map.of("singapore:n", 8L))));
        assertThat(get(mumbai.read("stock:sku")).value()).isEqualTo(-1);
        assertThat(get(mumbai.reportOversell("stock:sku", 0, 1_004)))
            .as("a new oversell of 1 after the restock")
            .isEqualTo(1);
      } finally {
        client.shutdown();
      }
    }
  }

  @Test
  void aRegisterTakesOnlyLaterWritesAndReportsTheStoredOne() throws Exception {
    try (RedisServer redis = RedisServer.start()) {
      RedisClient client = RedisClient.create(redis.uri());
      try (StatefulRedisConnection<String, String> connection = client.connect()) {
        CounterStore store = new CounterStore(connection.async(), "mumbai");
        LwwRegister first = new LwwRegister("dark", new HlcTimestamp(1_000, 0, "mumbai"));
        LwwRegister later = new LwwRegister("light", new HlcTimestamp(1_000, 1, "frankfurt"));
        LwwRegister tie = new LwwRegister("blue", new HlcTimestamp(1_000, 1, "singapore"));
        assertThat(get(store.write("theme", first))).isEmpty();
        assertThat(get(store.write("theme", later))).isEmpty();
        assertThat(get(store.write("theme", first))).contains(later);
        assertThat(get(store.write("theme", tie))).as("region breaks the tie").isEmpty();
        assertThat(get(store.readRegister("theme"))).contains(tie);
        assertThat(get(store.readRegister("never"))).isEmpty();
        assertThat(get(store.registerNames())).containsExactly("theme");
      } finally {
        client.shutdown();
      }
    }
  }
}
