package dev.homeport.operator.region;

import dev.homeport.contract.ContractJson;
import dev.homeport.contract.DirectoryBarrier;
import dev.homeport.contract.DirectoryEntry;
import dev.homeport.contract.Lease;
import dev.homeport.contract.RedisKeys;
import dev.homeport.contract.RoutingTable;
import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.KeyValue;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The operator's connection to one region's Redis: probes it, renews the region's lease there and
 * publishes routing tables into it, never over a newer one. Commands fail fast while Redis is away.
 */
public final class RegionLink implements AutoCloseable {

  private static final String PUBLISH_TABLE = read("publish-table.lua");
  private static final String RENEW_LEASE = read("renew-lease.lua");
  private static final String WRITE_DIRECTORY = read("write-directory.lua");
  private static final String BARRIER_MISSING = read("barrier-missing.lua");
  private static final String WRITE_BUCKETS = read("write-buckets.lua");
  private static final String COPY_DIRECTORY = read("copy-directory.lua");
  private static final String COPY_BUCKETS = read("copy-buckets.lua");
  private static final String REPLACE_MARKER = read("replace-marker.lua");

  /** Directory keys read per SCAN round trip. */
  private static final int SCAN_PAGE = 1000;

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

  /**
   * Writes the region's lease, a new renewal number valid for {@code duration}, in the same step as
   * it checks that this Redis still holds the directory marker: a Redis that lost its data since
   * the marker was last read gets no lease. Completes with whether the lease was written.
   */
  public CompletionStage<Boolean> renewLease(long renewal, Duration duration, Instant now) {
    return redis
        .<Long>eval(
            RENEW_LEASE,
            ScriptOutputType.INTEGER,
            new String[] {RedisKeys.lease(region), RedisKeys.DIRECTORY_MARKER},
            ContractJson.write(new Lease(region, renewal, duration.toMillis(), now.toString())))
        .thenApply(written -> written != null && written == 1L);
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

  /** The routing table the region holds; empty when it holds none. */
  public CompletionStage<Optional<RoutingTable>> routingTable() {
    return redis
        .get(RedisKeys.ROUTING_TABLE)
        .thenApply(
            json -> Optional.ofNullable(json).map(j -> ContractJson.read(j, RoutingTable.class)));
  }

  /**
   * Every directory entry the region holds, by routing key: SCAN over the directory, a page at a
   * time, each page read with one MGET. Entries written meanwhile may or may not be seen.
   */
  public CompletionStage<Map<String, DirectoryEntry>> allDirectory() {
    Map<String, DirectoryEntry> entries = new HashMap<>();
    return scanDirectory(ScanCursor.INITIAL, entries).thenApply(done -> entries);
  }

  private CompletionStage<Void> scanDirectory(
      ScanCursor cursor, Map<String, DirectoryEntry> entries) {
    String prefix = RedisKeys.directory("");
    ScanArgs args = ScanArgs.Builder.matches(prefix + "*").limit(SCAN_PAGE);
    return redis
        .scan(cursor, args)
        .thenCompose(
            (KeyScanCursor<String> page) -> {
              CompletionStage<Void> read =
                  page.getKeys().isEmpty()
                      ? CompletableFuture.completedFuture(null)
                      : redis
                          .mget(page.getKeys().toArray(String[]::new))
                          .thenAccept(
                              values ->
                                  values.forEach(
                                      value ->
                                          value.ifHasValue(
                                              json ->
                                                  entries.put(
                                                      value.getKey().substring(prefix.length()),
                                                      ContractJson.read(
                                                          json, DirectoryEntry.class)))));
              return page.isFinished()
                  ? read
                  : read.thenCompose(done -> scanDirectory(page, entries));
            });
  }

  /**
   * Copies directory entries into this region without overwriting a newer one (a higher epoch): for
   * a region that joins, whose front-doors must route moved keys as the others do. Completes with
   * how many entries were written.
   */
  public CompletionStage<Long> copyDirectory(Map<String, DirectoryEntry> entries) {
    List<String> keys = new ArrayList<>(entries.keySet());
    String[] redisKeys = new String[keys.size()];
    String[] args = new String[1 + 2 * keys.size()];
    args[0] = RedisKeys.DIRECTORY_CHANNEL;
    for (int i = 0; i < keys.size(); i++) {
      redisKeys[i] = RedisKeys.directory(keys.get(i));
      args[1 + i] = keys.get(i);
      args[1 + keys.size() + i] = ContractJson.write(entries.get(keys.get(i)));
    }
    return redis.eval(COPY_DIRECTORY, ScriptOutputType.INTEGER, redisKeys, args);
  }

  /** As {@link #copyDirectory}, for bucket entries. */
  public CompletionStage<Long> copyBuckets(Map<Integer, DirectoryEntry> entries) {
    String[] args = new String[1 + 2 * entries.size()];
    args[0] = RedisKeys.BUCKETS_CHANNEL;
    int i = 1;
    for (Map.Entry<Integer, DirectoryEntry> entry : entries.entrySet()) {
      args[i++] = entry.getKey().toString();
      args[i++] = ContractJson.write(entry.getValue());
    }
    return redis.eval(
        COPY_BUCKETS, ScriptOutputType.INTEGER, new String[] {RedisKeys.BUCKETS}, args);
  }

  /**
   * The directory marker ({@link RedisKeys#DIRECTORY_MARKER}) the region's Redis holds; null when
   * it holds none.
   */
  public CompletionStage<String> directoryMarker() {
    return redis.get(RedisKeys.DIRECTORY_MARKER);
  }

  /**
   * Sets the directory marker to {@code value} only where Redis still holds {@code expected} (null:
   * no marker); completes with whether it did.
   */
  public CompletionStage<Boolean> replaceDirectoryMarker(String expected, String value) {
    return redis
        .<Long>eval(
            REPLACE_MARKER,
            ScriptOutputType.INTEGER,
            new String[] {RedisKeys.DIRECTORY_MARKER},
            expected == null ? "" : expected,
            value)
        .thenApply(replaced -> replaced == 1L);
  }

  /** The directory entries of {@code keys}; a key without an override maps to null. */
  public CompletionStage<Map<String, DirectoryEntry>> directory(List<String> keys) {
    String[] redisKeys = keys.stream().map(RedisKeys::directory).toArray(String[]::new);
    return redis.mget(redisKeys).thenApply(values -> entries(keys, values));
  }

  /** Pairs each name with its entry read from Redis, in order; null where Redis has none. */
  private static <K> Map<K, DirectoryEntry> entries(
      List<K> names, List<KeyValue<String, String>> values) {
    Map<K, DirectoryEntry> entries = new HashMap<>();
    for (int i = 0; i < names.size(); i++) {
      entries.put(
          names.get(i),
          values
              .get(i)
              .optional()
              .map(json -> ContractJson.read(json, DirectoryEntry.class))
              .orElse(null));
    }
    return entries;
  }

  /**
   * Writes directory entries (null deletes the override) in one atomic script and announces every
   * changed key to the region's front-doors.
   */
  public CompletionStage<Long> writeDirectory(Map<String, DirectoryEntry> entries) {
    List<String> keys = new ArrayList<>(entries.keySet());
    String[] redisKeys = new String[keys.size()];
    String[] args = new String[1 + 2 * keys.size()];
    args[0] = RedisKeys.DIRECTORY_CHANNEL;
    for (int i = 0; i < keys.size(); i++) {
      DirectoryEntry entry = entries.get(keys.get(i));
      redisKeys[i] = RedisKeys.directory(keys.get(i));
      args[1 + i] = keys.get(i);
      args[1 + keys.size() + i] = entry == null ? "" : ContractJson.write(entry);
    }
    return redis.eval(WRITE_DIRECTORY, ScriptOutputType.INTEGER, redisKeys, args);
  }

  /**
   * The entries of {@code buckets}; a bucket homed by the routing table's placement maps to null.
   */
  public CompletionStage<Map<Integer, DirectoryEntry>> buckets(List<Integer> buckets) {
    String[] fields = buckets.stream().map(String::valueOf).toArray(String[]::new);
    return redis.hmget(RedisKeys.BUCKETS, fields).thenApply(values -> entries(buckets, values));
  }

  /** Every bucket entry the region holds. */
  public CompletionStage<Map<Integer, DirectoryEntry>> allBuckets() {
    return redis.hgetall(RedisKeys.BUCKETS).thenApply(ContractJson::bucketEntries);
  }

  /**
   * Writes bucket entries (null deletes one) in one atomic script and announces every changed
   * bucket to the region's front-doors.
   */
  public CompletionStage<Long> writeBuckets(Map<Integer, DirectoryEntry> entries) {
    String[] args = new String[1 + 2 * entries.size()];
    args[0] = RedisKeys.BUCKETS_CHANNEL;
    int i = 1;
    for (Map.Entry<Integer, DirectoryEntry> entry : entries.entrySet()) {
      args[i++] = entry.getKey().toString();
      args[i++] = entry.getValue() == null ? "" : ContractJson.write(entry.getValue());
    }
    return redis.eval(
        WRITE_BUCKETS, ScriptOutputType.INTEGER, new String[] {RedisKeys.BUCKETS}, args);
  }

  /** Stores a barrier request for {@code ttl} and announces it; repeat the call to re-announce. */
  public CompletionStage<Long> requestBarrier(DirectoryBarrier barrier, Duration ttl) {
    return redis
        .set(
            RedisKeys.barrier(barrier.id()),
            ContractJson.write(barrier),
            SetArgs.Builder.px(ttl.toMillis()))
        .thenCompose(ok -> redis.publish(RedisKeys.BARRIER_CHANNEL, barrier.id()));
  }

  /**
   * The region's live front-door instances that have not acknowledged barrier {@code id}, in one
   * round trip. Live: a heartbeat at most {@code liveness} old by the Redis server's clock, the one
   * the instances stamp their heartbeats with. The acknowledgements are kept {@code ttl} longer.
   */
  public CompletionStage<List<String>> barrierMissing(String id, Duration liveness, Duration ttl) {
    return redis.eval(
        BARRIER_MISSING,
        ScriptOutputType.MULTI,
        new String[] {RedisKeys.FRONT_DOORS, RedisKeys.barrierAcks(id)},
        Long.toString(liveness.toMillis()),
        Long.toString(ttl.toMillis()));
  }

  public String region() {
    return region;
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
