package dev.homeport.frontdoor.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.homeport.contract.BarrierAck;
import dev.homeport.contract.ContractJson;
import dev.homeport.contract.DirectoryBarrier;
import dev.homeport.contract.DirectoryEntry;
import dev.homeport.contract.RedisKeys;
import dev.homeport.testkit.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.SetArgs;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The front-door's Redis reader against a real standalone Redis and a real Sentinel. */
class RedisControlStoreIT {

  @Test
  void startUpWaitsForARedisThatComesUpLater() throws Exception {
    int port;
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    String uri = "redis://127.0.0.1:" + port;
    CompletableFuture<RedisControlStore> connecting =
        CompletableFuture.supplyAsync(
            () ->
                RedisControlStore.connect(
                    uri, false, Duration.ofMillis(500), new SimpleMeterRegistry()));
    await()
        .pollDelay(Duration.ofMillis(1500))
        .atMost(Duration.ofSeconds(3))
        .until(() -> !connecting.isDone());
    try (RedisServer redis = RedisServer.startOn(port);
        RedisControlStore store =
            connecting.get(RedisControlStore.STARTUP_WAIT.toSeconds(), TimeUnit.SECONDS)) {
      assertThat(store.directory("tenant-acme").toCompletableFuture().get()).isEmpty();
    }
  }

  @Test
  void readsDocumentsAndHearsAnnouncements() throws Exception {
    try (RedisServer redis = RedisServer.start();
        RedisControlStore store =
            RedisControlStore.connect(
                redis.uri(), false, Duration.ofSeconds(1), new SimpleMeterRegistry())) {
      assertThat(store.directory("tenant-acme").toCompletableFuture().get()).isEmpty();
      write(
          redis.uri(),
          RedisKeys.directory("tenant-acme"),
          DirectoryEntry.fenced("frankfurt", 4, "default/move"));
      assertThat(store.directory("tenant-acme").toCompletableFuture().get())
          .contains(DirectoryEntry.fenced("frankfurt", 4, "default/move"));

      List<Long> epochs = new CopyOnWriteArrayList<>();
      List<String> keys = new CopyOnWriteArrayList<>();
      List<String> barriers = new CopyOnWriteArrayList<>();
      List<String> buckets = new CopyOnWriteArrayList<>();
      store
          .subscribe(epochs::add, keys::add, buckets::add, barriers::add)
          .toCompletableFuture()
          .get(5, TimeUnit.SECONDS);
      publish(redis.uri(), RedisKeys.ROUTING_CHANNEL, "9");
      publish(redis.uri(), RedisKeys.DIRECTORY_CHANNEL, "tenant-acme");
      publish(redis.uri(), RedisKeys.BUCKETS_CHANNEL, "17");
      publish(redis.uri(), RedisKeys.BARRIER_CHANNEL, "b-7");
      await()
          .atMost(Duration.ofSeconds(5))
          .until(
              () ->
                  epochs.contains(9L)
                      && keys.contains("tenant-acme")
                      && buckets.contains("17")
                      && barriers.contains("b-7"));

      assertThat(store.bucketEntries().toCompletableFuture().get()).isEmpty();
      RedisClient client = RedisClient.create(redis.uri());
      try (var connection = client.connect()) {
        connection
            .sync()
            .hset(
                RedisKeys.BUCKETS,
                Map.of(
                    "17", ContractJson.write(DirectoryEntry.fenced("mumbai", 5, "default/b")),
                    "40", ContractJson.write(DirectoryEntry.settled("singapore", 6))));
      } finally {
        client.shutdown();
      }
      assertThat(store.bucketEntries().toCompletableFuture().get())
          .containsExactlyInAnyOrderEntriesOf(
              Map.of(
                  17, DirectoryEntry.fenced("mumbai", 5, "default/b"),
                  40, DirectoryEntry.settled("singapore", 6)));
      assertThat(store.bucketEntries(List.of(40, 41)).toCompletableFuture().get())
          .containsExactlyInAnyOrderEntriesOf(Map.of(40, DirectoryEntry.settled("singapore", 6)));
    }
  }

  @Test
  void acknowledgesBarriersForAsLongAsTheyLiveAndKeepsOnlyItsOwnHeartbeat() throws Exception {
    try (RedisServer redis = RedisServer.start();
        RedisControlStore store =
            RedisControlStore.connect(
                redis.uri(), false, Duration.ofSeconds(1), new SimpleMeterRegistry())) {
      RedisClient client = RedisClient.create(redis.uri());
      try (var connection = client.connect()) {
        var operator = connection.sync();
        DirectoryBarrier barrier =
            DirectoryBarrier.forKeys("b-1", List.of("user-1", "user-2"), "2026-11-21T10:00:02Z");
        assertThat(store.barrier("b-1").toCompletableFuture().get()).isEmpty();
        operator.set(
            RedisKeys.barrier("b-1"), ContractJson.write(barrier), SetArgs.Builder.px(60_000));
        assertThat(store.barrier("b-1").toCompletableFuture().get()).contains(barrier);

        assertThat(store.acknowledged("b-1", "mumbai-1").toCompletableFuture().get()).isFalse();
        BarrierAck ack = new BarrierAck("mumbai-1", 2, 3);
        assertThat(store.acknowledge("b-1", ack).toCompletableFuture().get()).isTrue();
        assertThat(store.acknowledged("b-1", "mumbai-1").toCompletableFuture().get()).isTrue();
        assertThat(store.acknowledged("b-1", "mumbai-2").toCompletableFuture().get()).isFalse();
        assertThat(operator.hget(RedisKeys.barrierAcks("b-1"), "mumbai-1"))
            .isEqualTo(ContractJson.write(ack));
        assertThat(operator.pttl(RedisKeys.barrierAcks("b-1")))
            .as("the acks expire with the barrier")
            .isBetween(1L, 60_000L);

        assertThat(store.acknowledge("b-gone", ack).toCompletableFuture().get())
            .as("an expired barrier is not acknowledged")
            .isFalse();
        assertThat(operator.exists(RedisKeys.barrierAcks("b-gone"))).isZero();

        operator.hset(RedisKeys.FRONT_DOORS, "mumbai-2", "1500");
        List<String> before = operator.time();
        store.heartbeat("mumbai-1").toCompletableFuture().get();
        List<String> after = operator.time();
        long beat = Long.parseLong(operator.hget(RedisKeys.FRONT_DOORS, "mumbai-1"));
        assertThat(beat)
            .as("stamped with the Redis server's clock, in milliseconds")
            .isBetween(
                Long.parseLong(before.get(0)) * 1000 + Long.parseLong(before.get(1)) / 1000,
                Long.parseLong(after.get(0)) * 1000 + Long.parseLong(after.get(1)) / 1000);
        assertThat(operator.hget(RedisKeys.FRONT_DOORS, "mumbai-2")).isEqualTo("1500");
        store.deregister("mumbai-1").toCompletableFuture().get();
        assertThat(operator.hgetall(RedisKeys.FRONT_DOORS))
            .containsExactlyInAnyOrderEntriesOf(Map.of("mumbai-2", "1500"));
      } finally {
        client.shutdown();
      }
    }
  }

  @Test
  void findsThePrimaryThroughSentinel(@TempDir Path dir) throws Exception {
    try (RedisServer primary = RedisServer.start()) {
      int sentinelPort = freePort();
      Path conf = dir.resolve("sentinel.conf");
      Files.writeString(
          conf,
          "port "
              + sentinelPort
              + "\nbind 127.0.0.1\ndir "
              + dir
              + "\nsentinel monitor homeport 127.0.0.1 "
              + primary.port()
              + " 1\n");
      Process sentinel =
          new ProcessBuilder(RedisServer.executable().toString(), conf.toString(), "--sentinel")
              .redirectErrorStream(true)
              .redirectOutput(dir.resolve("sentinel.log").toFile())
              .start();
      try {
        write(primary.uri(), RedisKeys.directory("user-1"), DirectoryEntry.settled("mumbai", 1));
        String uri = "redis-sentinel://127.0.0.1:" + sentinelPort + "#homeport";
        await()
            .atMost(Duration.ofSeconds(10))
            .ignoreExceptions()
            .until(
                () -> {
                  try (RedisControlStore store =
                      RedisControlStore.connect(
                          uri, false, Duration.ofSeconds(1), new SimpleMeterRegistry())) {
                    Optional<DirectoryEntry> entry =
                        store.directory("user-1").toCompletableFuture().get(2, TimeUnit.SECONDS);
                    return entry.isPresent() && entry.get().home().equals("mumbai");
                  }
                });
      } finally {
        sentinel.destroyForcibly().waitFor();
      }
    }
  }

  private static void write(String uri, String key, Object document) {
    RedisClient client = RedisClient.create(uri);
    try (var connection = client.connect()) {
      connection.sync().set(key, ContractJson.write(document));
    } finally {
      client.shutdown();
    }
  }

  private static void publish(String uri, String channel, String message) {
    RedisClient client = RedisClient.create(uri);
    try (var connection = client.connect()) {
      connection.sync().publish(channel, message);
    } finally {
      client.shutdown();
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
