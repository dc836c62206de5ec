package dev.homeport.bench.resolution;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.github.benmanes.caffeine.cache.stats.CacheStats;
import dev.homeport.contract.ContractJson;
import dev.homeport.contract.DirectoryEntry;
import dev.homeport.contract.RedisKeys;
import dev.homeport.frontdoor.routing.BucketOverrides;
import dev.homeport.frontdoor.routing.HomeDirectory;
import dev.homeport.frontdoor.routing.RedisControlStore;
import dev.homeport.testkit.RedisServer;
import io.lettuce.core.LettuceFutures;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.api.StatefulRedisConnection;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Part 2, the popularity run: home lookups of keys drawn with Zipf popularity through the
 * front-door's {@link HomeDirectory} (its Caffeine cache in front of a real {@code redis-server}),
 * a warm-up pass to fill the cache, then a measured pass: hit ratio, Redis calls per lookup (every
 * GET Redis served, background refreshes included) and this process's resident memory. Run as its
 * own process so that its RSS is the directory's, not the runner's; prints one JSON line.
 *
 * <p>{@code java -Xmx384m -cp homeport-bench.jar dev.homeport.bench.resolution.ZipfRun <keys>
 * <cacheEntries> <warmupLookups> <lookups> [overrideEvery]}
 */
public final class ZipfRun {

  /** The marker of the result line. */
  public static final String MARKER = "homeport-zipf ";

  private static final ObjectMapper JSON = JsonMapper.builder().build();

  /** Lookups waiting for Redis at once, as concurrent requests on a busy front-door would. */
  private static final int IN_FLIGHT = 1024;

  /**
   * @param overrideEvery every n-th rank has a directory entry of its own in Redis
   * @param warmupHitRatio hit ratio of the warm-up pass (the cache filling from empty)
   * @param hitRatio hit ratio of the measured pass
   * @param bestHitRatio the best any cache of this size can do (the top keys always cached)
   * @param entriesFor99 entries a cache would need for a best-case 99% hit ratio
   * @param redisCallsPerLookup GETs Redis served during the measured pass, per lookup
   * @param rssBytes VmRSS at the end; peakRssBytes VmHWM
   */
  public record Result(
      int keys,
      double exponent,
      int cacheEntries,
      int overrideEvery,
      long warmupLookups,
      long lookups,
      double warmupHitRatio,
      double hitRatio,
      double bestHitRatio,
      int entriesFor99,
      long redisCalls,
      double redisCallsPerLookup,
      long errors,
      double lookupsPerSecond,
      long cachedEntries,
      long rssBytes,
      long peakRssBytes,
      long maxHeapBytes,
      long usedHeapBytes) {}

  private ZipfRun() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 4) {
      System.err.println(
          "usage: ZipfRun <keys> <cacheEntries> <warmupLookups> <lookups> [overrideEvery]");
      System.exit(2);
    }
    int keys = Integer.parseInt(args[0]);
    int cacheEntries = Integer.parseInt(args[1]);
    long warmup = Long.parseLong(args[2]);
    long lookups = Long.parseLong(args[3]);
    int overrideEvery = args.length > 4 ? Integer.parseInt(args[4]) : 100;
    Result result = run(keys, 1.0, cacheEntries, warmup, lookups, overrideEvery);
    System.out.println(MARKER + JSON.writeValueAsString(result));
    System.exit(0);
  }

  /** Reads a result line out of the run's output. */
  public static Result parse(String output) throws IOException {
    String line =
        output
            .lines()
            .filter(l -> l.startsWith(MARKER))
            .findFirst()
            .orElseThrow(() -> new IOException("the Zipf run printed no result:\n" + output));
    return JSON.readValue(line.substring(MARKER.length()), Result.class);
  }

  static Result run(
      int keys, double exponent, int cacheEntries, long warmup, long lookups, int overrideEvery)
      throws Exception {
    try (RedisServer redis = RedisServer.start()) {
      RedisClient client = RedisClient.create(redis.uri());
      try (StatefulRedisConnection<String, String> admin = client.connect()) {
        seedOverrides(admin, keys, overrideEvery);
        RedisControlStore store =
            RedisControlStore.connect(
                redis.uri(), false, Duration.ofSeconds(5), new SimpleMeterRegistry());
        try {
          HomeDirectory directory =
              new HomeDirectory(
                  store,
                  new BucketOverrides(store, () -> 4096),
                  cacheEntries,
                  Duration.ofSeconds(30),
                  Duration.ofMinutes(10));
          ZipfKeys zipf = new ZipfKeys(keys, exponent, 20261122L);
          AtomicLong errors = new AtomicLong();

          CacheStats before = directory.cache().stats();
          drive(directory, zipf, warmup, errors);
          CacheStats afterWarmup = directory.cache().stats();
          long getsBefore = gets(admin);
          long started = System.nanoTime();
          drive(directory, zipf, lookups, errors);
          double seconds = (System.nanoTime() - started) / 1e9;
          long redisCalls = gets(admin) - getsBefore;
          CacheStats measured = directory.cache().stats().minus(afterWarmup);
          CacheStats warm = afterWarmup.minus(before);
          directory.cache().cleanUp();
          Runtime runtime = Runtime.getRuntime();
          return new Result(
              keys,
              exponent,
              cacheEntries,
              overrideEvery,
              warmup,
              lookups,
              warm.hitRate(),
              measured.hitRate(),
              ZipfKeys.topShare(Math.min(cacheEntries, keys), keys, exponent),
              ZipfKeys.entriesFor(0.99, keys, exponent),
              redisCalls,
              redisCalls / (double) lookups,
              errors.get(),
              lookups / seconds,
              directory.cache().estimatedSize(),
              statusBytes("VmRSS"),
              statusBytes("VmHWM"),
              runtime.maxMemory(),
              runtime.totalMemory() - runtime.freeMemory());
        } finally {
          store.close();
        }
      } finally {
        client.shutdown();
      }
    }
  }

  /** {@code lookups} lookups of Zipf-drawn keys, at most {@link #IN_FLIGHT} unanswered. */
  private static void drive(HomeDirectory directory, ZipfKeys zipf, long lookups, AtomicLong errors)
      throws InterruptedException {
    Semaphore window = new Semaphore(IN_FLIGHT);
    for (long i = 0; i < lookups; i++) {
      window.acquire();
      directory
          .lookup(ZipfKeys.key(zipf.nextRank()))
          .whenComplete(
              (entry, error) -> {
                if (error != null) {
                  errors.incrementAndGet();
                }
                window.release();
              });
    }
    if (!window.tryAcquire(IN_FLIGHT, 60, TimeUnit.SECONDS)) {
      throw new IllegalStateException("lookups still unanswered after 60 s");
    }
  }

  /** Directory entries for every {@code every}-th rank: keys moved away from their bucket. */
  private static void seedOverrides(
      StatefulRedisConnection<String, String> connection, int keys, int every) {
    String entry = ContractJson.write(DirectoryEntry.settled("b", 1));
    List<RedisFuture<String>> pending = new ArrayList<>();
    for (int rank = every; rank <= keys; rank += every) {
      pending.add(connection.async().set(RedisKeys.directory(ZipfKeys.key(rank)), entry));
      if (pending.size() == 10_000) {
        LettuceFutures.awaitAll(Duration.ofSeconds(60), pending.toArray(new RedisFuture<?>[0]));
        pending.clear();
      }
    }
    LettuceFutures.awaitAll(Duration.ofSeconds(60), pending.toArray(new RedisFuture<?>[0]));
  }

  /** GET commands the server has executed so far. */
  private static long gets(StatefulRedisConnection<String, String> connection) {
    Matcher calls =
        Pattern.compile("cmdstat_get:calls=([0-9]+)")
            .matcher(connection.sync().info("commandstats"));
    return calls.find() ? Long.parseLong(calls.group(1)) : 0;
  }

  /** A size line of /proc/self/status (kB) in bytes; -1 where there is no such file. */
  static long statusBytes(String field) throws IOException {
    Path status = Path.of("/proc/self/status");
    if (!Files.exists(status)) {
      return -1;
    }
    for (String line : Files.readAllLines(status)) {
      if (line.startsWith(field + ":")) {
        return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
      }
    }
    return -1;
  }
}
