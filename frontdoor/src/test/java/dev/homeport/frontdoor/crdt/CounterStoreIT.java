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

  @Test
  void twoRegionsIncrementConcurrentlyAndConvergeByMerging() throws Exception {
    try (RedisServer mumbaiRedis = RedisServer.start();
        RedisServer frankfurtRedis = RedisServer.start()) {
      RedisClient a = RedisClient.create(mumbaiRedis.uri());
      RedisClient b = RedisClient.create(frankfurtRedis.uri());
      try (StatefulRedisConnection<String, String> ca = a.connect();
          StatefulRedisConnection<String, String> cb = b.connect()) {
        CounterStore mumbai = new CounterStore(ca, "mumbai");
        CounterStore frankfurt = new CounterStore(cb, "frankfurt");
        for (int i = 0; i < 100; i++) {
          get(mumbai.add("likes", 1));
          get(frankfurt.add("likes", 2));
        }
        get(frankfurt.add("likes", -50));

        PnCounter fromMumbai = get(mumbai.read("likes"));
        PnCounter fromFrankfurt = get(frankfurt.read("likes"));
        assertThat(get(frankfurt.merge("likes", fromMumbai))).isEqualTo(1);
        assertThat(get(mumbai.merge("likes", fromFrankfurt))).isEqualTo(2);
        assertThat(get(mumbai.merge("likes", fromFrankfurt))).as("idempotent").isZero();
        assertThat(get(mumbai.merge("likes", PnCounter.of(Map.of("frankfurt:p", 10L)))))
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
        CounterStore store = new CounterStore(connection, "mumbai");
        long big = (1L << 53) + 1;
        get(store.merge("big", PnCounter.of(Map.of("frankfurt:p", big - 1))));
        assertThat(get(store.merge("big", PnCounter.of(Map.of("frankfurt:p", big))))).isEqualTo(1);
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
        CounterStore store = new CounterStore(connection, "mumbai");
        get(store.merge("c", PnCounter.of(Map.of("frankfurt:p", 3L))));
        connection.sync().scriptFlush();
        assertThat(get(store.merge("c", PnCounter.of(Map.of("frankfurt:p", 5L))))).isEqualTo(1);
        assertThat(get(store.read("c")).value()).isEqualTo(5);
      } finally {
        client.shutdown();
      }
    }
  }
}
