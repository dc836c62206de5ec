package dev.homeport.bench.resolution;

import dev.homeport.contract.BucketAssignment;
import dev.homeport.contract.ContractJson;
import dev.homeport.contract.DirectoryEntry;
import dev.homeport.contract.RedisKeys;
import dev.homeport.contract.RegionRoute;
import dev.homeport.contract.RoutingTable;
import dev.homeport.crds.v1alpha1.status.RegionPhase;
import dev.homeport.frontdoor.config.FrontDoorConfig;
import dev.homeport.frontdoor.config.Route;
import dev.homeport.frontdoor.routing.BucketOverrides;
import dev.homeport.frontdoor.routing.Decision;
import dev.homeport.frontdoor.routing.HomeDirectory;
import dev.homeport.frontdoor.routing.PeerUrls;
import dev.homeport.frontdoor.routing.RedisControlStore;
import dev.homeport.frontdoor.routing.RequestRouter;
import dev.homeport.frontdoor.routing.RoutingSnapshot;
import dev.homeport.testkit.RedisServer;
import io.lettuce.core.RedisClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Part 2 of the benchmarks: what resolving a key's home costs the front-door, with the classes its
 * request pipeline uses ({@link HomeDirectory} over a {@link RedisControlStore} on a real {@code
 * redis-server}, {@link RequestRouter}, {@link RoutingSnapshot}). The hit path is everything
 * between the request's routing key and the decision where to send it; the miss path is one lookup
 * whose key is not cached, which costs one Redis read.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
public class HomeResolutionBenchmark {

  /** Keys cached before the hit benchmarks, cycled through so that no single entry stays hot. */
  private static final int HIT_KEYS = 4096;

  private RedisServer redis;
  private RedisControlStore store;
  private HomeDirectory directory;
  private RequestRouter router;
  private RoutingSnapshot snapshot;
  private FrontDoorConfig config;
  private String[] keys;
  private int next;

  @Setup(Level.Trial)
  public void start() {
    redis = RedisServer.start();
    RedisClient client = RedisClient.create(redis.uri());
    try (var connection = client.connect()) {
      connection
          .sync()
          .set(
              RedisKeys.directory("moved-user"),
              ContractJson.write(DirectoryEntry.settled("b", 1)));
    } finally {
      client.shutdown();
    }
    store =
        RedisControlStore.connect(
            redis.uri(), false, Duration.ofSeconds(2), new SimpleMeterRegistry());
    snapshot =
        RoutingSnapshot.of(
            new RoutingTable(
                1,
                4096,
                Map.of(
                    "a",
                    new RegionRoute(RegionPhase.Active, null, "http://127.0.0.1:1", "bench"),
                    "b",
                    new RegionRoute(RegionPhase.Active, null, "http://127.0.0.1:2", "bench")),
                List.of(new BucketAssignment(0, 2047, "a"), new BucketAssignment(2048, 4095, "b")),
                "2026-01-01T00:00:00Z"));
    directory =
        new HomeDirectory(
            store,
            new BucketOverrides(store, () -> 4096),
            1_000_000,
            Duration.ofSeconds(30),
            Duration.ofMinutes(10));
    config =
        FrontDoorConfig.parse(
            """
            region: a
            redis: {uri: %s}
            backend: http://127.0.0.1:1
            listen: {host: 127.0.0.1, public: 1, admin: 2}
            routingKey: {from: header, name: X-User-Id}
            routes:
              - {name: orders, path: /orders, policy: home, onHomeDown: peer}
            lease: {required: false}
            secrets: {internal: bench-internal-secret-0001, admin: bench-admin-token-000001}
            """
                .formatted(redis.uri()),
            Map.of());
    router = new RequestRouter(config.region(), new PeerUrls(config.region(), config.peers()));
    keys = new String[HIT_KEYS];
    for (int i = 0; i < HIT_KEYS; i++) {
      keys[i] = "user-" + i;
      directory.lookup(keys[i]).join();
    }
  }

  @TearDown(Level.Trial)
  public void stop() {
    store.close();
    redis.close();
  }

  private String nextKey() {
    String key = keys[next];
    next = (next + 1) & (HIT_KEYS - 1);
    return key;
  }

  /** A cached key's directory lookup: the Caffeine read and the bucket-entry check. */
  @Benchmark
  @OutputTimeUnit(TimeUnit.NANOSECONDS)
  public Optional<DirectoryEntry> hitLookup() {
    return directory.lookup(nextKey()).join();
  }

  /**
   * The whole hit path of a request: match the route, look the cached key up, decide where it is
   * served (policy, fences, lease, the key's bucket in the routing table).
   */
  @Benchmark
  @OutputTimeUnit(TimeUnit.NANOSECONDS)
  public Decision hitPath() {
    Route matched = config.routeFor("/orders/1");
    String key = nextKey();
    DirectoryEntry entry = directory.lookup(key).join().orElse(null);
    return router.decide(matched, true, key, entry, snapshot, true, null);
  }

  /** A key that is not cached and has no directory entry: one Redis GET answered nil. */
  @Benchmark
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  public Optional<DirectoryEntry> missWithoutEntry() {
    directory.invalidate("new-user");
    return directory.lookup("new-user").join();
  }

  /** A key that is not cached and has a directory entry: one Redis GET and its JSON decoded. */
  @Benchmark
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  public Optional<DirectoryEntry> missWithEntry() {
    directory.invalidate("moved-user");
    return directory.lookup("moved-user").join();
  }
}
