package dev.homeport.frontdoor.routing;

import dev.homeport.contract.BarrierAck;
import dev.homeport.contract.ContractJson;
import dev.homeport.contract.DirectoryBarrier;
import dev.homeport.contract.DirectoryEntry;
import dev.homeport.contract.Lease;
import dev.homeport.contract.RedisKeys;
import dev.homeport.contract.RoutingTable;
import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads control data, and writes this instance's heartbeat and barrier acknowledgements, with
 * Lettuce in a standalone, Sentinel-managed or clustered Redis. Lettuce reconnects by itself;
 * commands issued while Redis is away fail fast (after {@code timeout}) so that callers fall back
 * to what they already have.
 */
public final class RedisControlStore implements ControlStore {

  private static final Logger log = LoggerFactory.getLogger(RedisControlStore.class);

  /** Stamps the instance's heartbeat with Redis's own clock, in milliseconds. */
  private static final String HEARTBEAT =
      "local now = redis.call('TIME')\n"
          + "redis.call('HSET', KEYS[1], ARGV[1],"
          + " string.format('%.0f', now[1] * 1000 + math.floor(now[2] / 1000)))\n"
          + "return 1";

  private final AbstractRedisClient client;
  private final StatefulConnection<String, String> connection;
  private final RedisClusterAsyncCommands<String, String> commands;
  private final Timer latency;
  private final StatefulRedisPubSubConnection<String, String> pubSub;

  private RedisControlStore(
      AbstractRedisClient client,
      StatefulConnection<String, String> connection,
      RedisClusterAsyncCommands<String, String> commands,
      StatefulRedisPubSubConnection<String, String> pubSub,
      MeterRegistry registry) {
    this.client = client;
    this.connection = connection;
    this.commands = commands;
    this.pubSub = pubSub;
    this.latency =
        Timer.builder("homeport.redis.latency")
            .description("Latency of the front-door's control-data reads from Redis")
            .publishPercentileHistogram()
            .register(registry);
  }

  /** Connects to the region's Redis; fails when it cannot be reached at start. */
  public static RedisControlStore connect(
      String uri, boolean cluster, Duration timeout, MeterRegistry registry) {
    // Redis may come up after the front-door (or be slow to answer while a machine starts):
    // keep trying for a while, saying so, before giving up.
    long deadline = System.nanoTime() + STARTUP_WAIT.toNanos();
    while (true) {
      try {
        return connectOnce(uri, cluster, timeout, registry);
      } catch (RedisException e) {
        if (System.nanoTime() > deadline) {
          throw e;
        }
        org.slf4j.LoggerFactory.getLogger(RedisControlStore.class)
            .warn(
                "Redis at {} not reachable yet ({}); trying again",
                redactedUri(uri),
                e.getMessage());
        try {
          Thread.sleep(STARTUP_RETRY.toMillis()); // backing off between connection attempts
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          throw e;
        }
      }
    }
  }

  /** How long start-up waits for Redis to answer. */
  static final Duration STARTUP_WAIT = Duration.ofSeconds(30);

  private static final Duration STARTUP_RETRY = Duration.ofMillis(500);

  private static String redactedUri(String uri) {
    return uri.replaceAll("//[^@/]*@", "//***@");
  }

  private static RedisControlStore connectOnce(
      String uri, boolean cluster, Duration timeout, MeterRegistry registry) {
    RedisURI redisUri = RedisURI.create(uri);
    redisUri.setTimeout(timeout);
    if (cluster) {
      RedisClusterClient client = RedisClusterClient.create(redisUri);
      ClusterClientOptions.Builder options = ClusterClientOptions.builder();
      failFast(options, timeout);
      client.setOptions(options.build());
      try {
        var connection = client.connect(StringCodec.UTF8);
        return new RedisControlStore(
            client,
            connection,
            connection.async(),
            client.connectPubSub(StringCodec.UTF8),
            registry);
      } catch (RuntimeException e) {
        client.shutdown();
        throw e;
      }
    }
    RedisClient client = RedisClient.create(redisUri);
    ClientOptions.Builder options = ClientOptions.builder();
    failFast(options, timeout);
    client.setOptions(options.build());
    try {
      var connection = client.connect(StringCodec.UTF8);
      return new RedisControlStore(
          client, connection, connection.async(), client.connectPubSub(StringCodec.UTF8), registry);
    } catch (RuntimeException e) {
      client.shutdown();
      throw e;
    }
  }

  /** Commands time out, and are refused at once while disconnected, instead of queueing. */
  private static void failFast(ClientOptions.Builder options, Duration timeout) {
    options.socketOptions(SocketOptions.builder().connectTimeout(timeout).build());
    options.timeoutOptions(TimeoutOptions.enabled(timeout));
    options.disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS);
  }

  @Override
  public CompletionStage<Optional<RoutingTable>> routingTable() {
    return get(RedisKeys.ROUTING_TABLE, json -> ContractJson.read(json, RoutingTable.class));
  }

  @Override
  public CompletionStage<Optional<DirectoryEntry>> directory(String key) {
    return get(RedisKeys.directory(key), json -> ContractJson.read(json, DirectoryEntry.class));
  }

  @Override
  public CompletionStage<Optional<Lease>> lease(String region) {
    return get(RedisKeys.lease(region), json -> ContractJson.read(json, Lease.class));
  }

  @Override
  public CompletionStage<Map<Integer, DirectoryEntry>> bucketEntries() {
    return commands.hgetall(RedisKeys.BUCKETS).thenApply(ContractJson::bucketEntries);
  }

  @Override
  public CompletionStage<Map<Integer, DirectoryEntry>> bucketEntries(List<Integer> buckets) {
    String[] fields = buckets.stream().map(String::valueOf).toArray(String[]::new);
    return commands
        .hmget(RedisKeys.BUCKETS, fields)
        .thenApply(
            values -> {
              Map<String, String> found = new HashMap<>();
              values.forEach(value -> value.ifHasValue(json -> found.put(value.getKey(), json)));
              return ContractJson.bucketEntries(found);
            });
  }

  @Override
  public CompletionStage<Optional<DirectoryBarrier>> barrier(String id) {
    return get(RedisKeys.barrier(id), json -> ContractJson.read(json, DirectoryBarrier.class));
  }

  @Override
  public CompletionStage<Boolean> acknowledged(String id, String instance) {
    return commands.hexists(RedisKeys.barrierAcks(id), instance);
  }

  @Override
  public CompletionStage<Boolean> acknowledge(String id, BarrierAck ack) {
    String acks = RedisKeys.barrierAcks(id);
    return commands
        .pttl(RedisKeys.barrier(id))
        .thenCompose(
            ttl -> {
              if (ttl == -2) {
                // The barrier is gone, so nobody waits for the ack: a hash written now would stay.
                return CompletableFuture.completedFuture(false);
              }
              CompletionStage<Boolean> written =
                  commands.hset(acks, ack.instance(), ContractJson.write(ack));
              // The acks live as long as the barrier, so an operator that never cleans up leaks
              // nothing; a barrier without expiry (-1) leaves its acks without one too.
              CompletionStage<Boolean> expiring =
                  ttl > 0 ? commands.pexpire(acks, ttl) : CompletableFuture.completedFuture(true);
              return written.thenCombine(expiring, (w, e) -> true);
            });
  }

  @Override
  public CompletionStage<Void> heartbeat(String instance) {
    return commands
        .<Long>eval(
            HEARTBEAT, ScriptOutputType.INTEGER, new String[] {RedisKeys.FRONT_DOORS}, instance)
        .thenAccept(written -> {});
  }

  @Override
  public CompletionStage<Void> deregister(String instance) {
    return commands.hdel(RedisKeys.FRONT_DOORS, instance).thenAccept(removed -> {});
  }

  private <T> CompletionStage<Optional<T>> get(String key, Function<String, T> parse) {
    long start = System.nanoTime();
    return commands
        .get(key)
        .whenComplete((value, error) -> latency.record(Duration.ofNanos(System.nanoTime() - start)))
        .thenApply(json -> Optional.ofNullable(json).map(parse));
  }

  @Override
  public CompletionStage<Void> subscribe(
      Consumer<Long> onEpoch,
      Consumer<String> onDirectoryChange,
      Consumer<String> onBucketChange,
      Consumer<String> onBarrier) {
    pubSub.addListener(
        new RedisPubSubAdapter<>() {
          @Override
          public void message(String channel, String message) {
            try {
              if (RedisKeys.ROUTING_CHANNEL.equals(channel)) {
                onEpoch.accept(Long.parseLong(message.trim()));
              } else if (RedisKeys.DIRECTORY_CHANNEL.equals(channel)) {
                onDirectoryChange.accept(message);
              } else if (RedisKeys.BUCKETS_CHANNEL.equals(channel)) {
                onBucketChange.accept(message);
              } else if (RedisKeys.BARRIER_CHANNEL.equals(channel)) {
                onBarrier.accept(message);
              }
            } catch (RuntimeException e) {
              log.warn("Ignoring message on {}: {}", channel, e.toString());
            }
          }
        });
    // Lettuce re-subscribes after a reconnect.
    return pubSub
        .async()
        .subscribe(
            RedisKeys.ROUTING_CHANNEL,
            RedisKeys.DIRECTORY_CHANNEL,
            RedisKeys.BUCKETS_CHANNEL,
            RedisKeys.BARRIER_CHANNEL);
  }

  /** A connection of its own for CRDT data, and its commands. */
  public record DataConnection(
      StatefulConnection<String, String> connection,
      RedisClusterAsyncCommands<String, String> commands) {}

  /**
   * Opens another connection to the same Redis, for CRDT data.
   *
   * @param autoFlush false for a connection whose owner sends pipelined batches with {@code
   *     flushCommands()}
   */
  public DataConnection openDataConnection(boolean autoFlush) {
    if (client instanceof RedisClusterClient cluster) {
      var connection = cluster.connect(StringCodec.UTF8);
      connection.setAutoFlushCommands(autoFlush);
      return new DataConnection(connection, connection.async());
    }
    var connection = ((RedisClient) client).connect(StringCodec.UTF8);
    connection.setAutoFlushCommands(autoFlush);
    return new DataConnection(connection, connection.async());
  }

  @Override
  public void close() {
    pubSub.close();
    connection.close();
    client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
  }
}
