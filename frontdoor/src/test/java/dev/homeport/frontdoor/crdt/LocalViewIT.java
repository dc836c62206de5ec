package dev.homeport.frontdoor.crdt;

import static org.assertj.core.api.Assertions.assertThat;

import dev.homeport.frontdoor.config.CrdtSettings;
import dev.homeport.testkit.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The view global quotas decide by, against a real Redis: while batches are taken, written and
 * answered, every counted request is in the view exactly once. A request seen twice refuses the
 * next one early; a request not seen lets one too many through.
 */
class LocalViewIT {

  /** A quota counter whose window ends in an hour (one that ended is gone from Redis). */
  private static final String COUNTER =
      CrdtNames.quotaCounter("search", System.currentTimeMillis() + 3_600_000, "alice");

  @Test
  void everyCountedRequestIsInTheViewExactlyOnceWhileBatchesAreWritten() throws Exception {
    try (RedisServer redis = RedisServer.start()) {
      RedisClient client = RedisClient.create(redis.uri());
      try (StatefulRedisConnection<String, String> data = client.connect();
          StatefulRedisConnection<String, String> batches = client.connect()) {
        batches.setAutoFlushCommands(false);
        CrdtService crdt =
            new CrdtService(
                "mumbai",
                new CrdtSettings(
                    Duration.ofMillis(2),
                    Duration.ofMillis(50),
                    Duration.ofSeconds(1),
                    Duration.ofMinutes(10),
                    500,
                    Duration.ofSeconds(5),
                    List.of(),
                    null),
                new CounterStore(data.async(), "mumbai"),
                new CounterStore(batches.async(), "mumbai"),
                batches,
                List::of,
                new SimpleMeterRegistry());
        // One writer counts as requests do (each count starts a batch when none is being
        // written); readers check the view between "counted" and "about to count".
        AtomicLong started = new AtomicLong();
        AtomicLong counted = new AtomicLong();
        AtomicBoolean done = new AtomicBoolean();
        ConcurrentLinkedQueue<String> wrong = new ConcurrentLinkedQueue<>();
        Runnable reader =
            () -> {
              while (!done.get() && wrong.size() < 10) {
                long atLeast = counted.get();
                long view = crdt.localView(COUNTER);
                long atMost = started.get();
                if (view < atLeast || view > atMost) {
                  wrong.add(
                      "view " + view + " with " + atLeast + " to " + atMost + " requests counted");
                }
              }
            };
        Thread[] readers = {new Thread(reader), new Thread(reader)};
        for (Thread thread : readers) {
          thread.start();
        }
        // Before the view and the hand-over of answered batches shared a lock, this failed within
        // a second, both ways (a request counted twice; a batch seen neither waiting nor answered).
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        while (System.nanoTime() < deadline && wrong.isEmpty()) {
          started.incrementAndGet();
          crdt.count(COUNTER);
          counted.incrementAndGet();
          if (counted.get() % 64 == 0) {
            // Vary the interleaving: now and then let the flusher and the answers catch up.
            Thread.yield();
          }
        }
        done.set(true);
        for (Thread thread : readers) {
          thread.join();
        }
        crdt.close(Duration.ofSeconds(5)).toCompletionStage().toCompletableFuture().get();
        assertThat(wrong).as("after %,d requests", counted.get()).isEmpty();
        assertThat(crdt.localView(COUNTER)).isEqualTo(counted.get());
      } finally {
        client.shutdown();
      }
    }
  }
}
