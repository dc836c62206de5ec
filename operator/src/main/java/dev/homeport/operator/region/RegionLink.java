package dev.homeport.operator.region;

import dev.homeport.contract.ContractJson;
import dev.homeport.contract.Lease;
import dev.homeport.contract.RedisKeys;
import dev.homeport.contract.RoutingTable;
import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.codec.StringCodec;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletionStage;

/**
 * The operator's connection to one region's Redis: probes it, renews the region's lease there and
 * publishes routing tables into it, never over a newer one. Commands fail fast while Redis is away.
 */
public final class RegionLink implements AutoCloseable {

  private static final String PUBLISH_TABLE = read("publish-table.lua");

  private final String region;
  private final String url;
  private final AbstractRedisClient client;
  private final StatefulConnection<String, String> connection;
  private final RedisClusterAsyncCommands<String, String> redis;

  private RegionLink(
      String region,
      String url,
      AbstractRedisClient client,
      StatefulConnection<String, String> connection,
      RedisClusterAsyncCommands<String, String> redis) {
    this.region = region;
    this.url = url;
    this.client = client;
    this.connection = connection;
    this.redis = redis;
  }

  /**
   * Connects to the region's Redis; once connected, Lettuce reconnects by itself.
   *
   * @throws io.lettuce.core.RedisConnectionException when Redis cannot be reached now (the caller
   *     tries again on its next round)
   * @param timeout per-command timeout
   */
  public static RegionLink open(String region, String url, boolean cluster, Duration timeout) {
    RedisURI uri = RedisURI.create(url);
    uri.setTimeout(timeout);
    AbstractRedisClient client;
    if (cluster) {
      RedisClusterClient clusterClient = RedisClusterClient.create(uri);
      clusterClient.setOptions(failFast(ClusterClientOptions.builder(), timeout).build());
      client = clusterClient;
    } else {
      RedisClient plain = RedisClient.create(uri);
      plain.setOptions(failFast(ClientOptions.builder(), timeout).build());
      client = plain;
    }
    try {
      if (client instanceof RedisClusterClient clusterClient) {
        var connection = clusterClient.connect(StringCodec.UTF8);
        return new RegionLink(region, url, client, connection, connection.async());
      }
      var connection = ((RedisClient) client).connect(StringCodec.UTF8);
      return new RegionLink(region, url, client, connection, connection.async());
    } catch (RuntimeException e) {
      client.shutdownAsync();
      throw e;
    }
  }

  /** Commands time out and are refused at once while disconnected, instead of queueing. */
  private static <B extends ClientOptions.Builder> B failFast(B options, Duration timeout) {
    options.socketOptions(SocketOptions.builder().connectTimeout(timeout).build());
    options.timeoutOptions(TimeoutOptions.enabled(timeout));
    options.disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS);
    return options;
  }

  public String url() {
    return url;
  }

  public CompletionStage<String> ping() {
    return redis.ping();
  }

  /** Writes the region's lease: a new renewal number, valid for {@code duration}. */
  public CompletionStage<String> renewLease(long renewal, Duration duration, Instant now) {
    return redis.set(
        RedisKeys.lease(region),
        ContractJson.write(new Lease(region, renewal, duration.toMillis(), now.toString())));
  }

  /** Publishes {@code table} unless Redis holds a newer one; completes with the epoch it holds. */
  public CompletionStage<Long> publish(RoutingTable table) {
    return redis.eval(
        PUBLISH_TABLE,
        ScriptOutputType.INTEGER,
        new String[] {RedisKeys.ROUTING_TABLE, RedisKeys.ROUTING_CHANNEL},
        Long.toString(table.epoch()),
        ContractJson.write(table));
  }

  @Override
  public void close() {
    connection.closeAsync();
    client.shutdownAsync(0, 2, java.util.concurrent.TimeUnit.SECONDS);
  }

  private static String read(String name) {
    try (InputStream in = RegionLink.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
