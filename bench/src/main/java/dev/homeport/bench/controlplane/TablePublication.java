package dev.homeport.bench.controlplane;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.homeport.bench.Processes;
import dev.homeport.contract.BucketAssignment;
import dev.homeport.contract.ContractJson;
import dev.homeport.contract.RedisKeys;
import dev.homeport.contract.RegionRoute;
import dev.homeport.contract.RoutingTable;
import dev.homeport.crds.v1alpha1.status.RegionPhase;
import dev.homeport.operator.region.RegionLink;
import dev.homeport.testkit.RedisServer;
import io.lettuce.core.RedisClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Part 4 of the benchmarks, the control plane: how long a new routing table takes to reach three
 * regions. Three regions, each with its own {@code redis-server} and front-door process; the
 * operator's own {@link RegionLink} publishes each table into the three Redis at once (epoch
 * compare-and-set and the pub/sub announcement, as the operator does), then every front-door's
 * {@code /healthz} is polled until it reports the new epoch. Two times per publication: until the
 * three Redis acknowledged, and until the three front-doors route by the new table.
 */
public final class TablePublication {

  private static final Logger log = LoggerFactory.getLogger(TablePublication.class);
  private static final List<String> REGIONS = List.of("mumbai", "frankfurt", "singapore");

  /** Publications before the timed ones, so that the JITs of every process have warmed up. */
  private static final int WARMUP = 20;

  private static final Duration ADOPTION_TIMEOUT = Duration.ofSeconds(10);
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * @param acknowledgedMicros per publication: until all three Redis acknowledged, sorted
   * @param adoptedMicros per publication: until all three front-doors routed by it, sorted
   */
  public record Result(
      int publications, long[] acknowledgedMicros, long[] adoptedMicros, List<String> commands) {

    /** A percentile (0-100) of a sorted series, nearest rank. */
    public static long percentile(long[] sorted, double percentile) {
      if (sorted.length == 0) {
        return -1;
      }
      int rank = (int) Math.ceil(percentile / 100 * sorted.length);
      return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
    }
  }

  private final Path workDir;
  private final int publications;
  private final int serverCore;

  public TablePublication(Path workDir, int publications, int serverCore) {
    this.workDir = workDir;
    this.publications = publications;
    this.serverCore = serverCore;
  }

  public Result run(Path frontDoorJar) throws Exception {
    Files.createDirectories(workDir);
    List<String> commands = new ArrayList<>();
    Map<String, RedisServer> redis = new LinkedHashMap<>();
    Map<String, RegionLink> links = new LinkedHashMap<>();
    try (Processes processes = new Processes(workDir.resolve("logs"))) {
      Map<String, Integer> publicPorts = new LinkedHashMap<>();
      Map<String, Integer> adminPorts = new LinkedHashMap<>();
      for (String region : REGIONS) {
        redis.put(region, RedisServer.start());
        publicPorts.put(region, Processes.freePort());
        adminPorts.put(region, Processes.freePort());
      }
      long epoch = 1;
      for (String region : REGIONS) {
        seed(redis.get(region), table(epoch, publicPorts));
      }
      List<Process> frontDoors = new ArrayList<>();
      for (String region : REGIONS) {
        Path config = workDir.resolve("frontdoor-" + region + ".yaml");
        Files.writeString(
            config,
            """
            region: %s
            redis: {uri: %s}
            backend: http://127.0.0.1:1
            listen: {host: 127.0.0.1, public: %d, admin: %d}
            routingKey: {from: header, name: X-User-Id}
            routes:
              - {name: orders, path: /orders, policy: home, onHomeDown: reject}
            lease: {required: false}
            timeouts: {drain: 1s}
            secrets: {internal: bench-internal-secret-0001, admin: bench-admin-token-000001}
            """
                .formatted(
                    region,
                    redis.get(region).uri(),
                    publicPorts.get(region),
                    adminPorts.get(region)));
        List<String> command =
            List.of(
                "taskset",
                "-c",
                Integer.toString(serverCore),
                "java",
                "-jar",
                frontDoorJar.toString(),
                "--config",
                config.toString());
        commands.add(Processes.shell(command));
        frontDoors.add(processes.start("frontdoor-" + region, command));
      }
      for (int i = 0; i < REGIONS.size(); i++) {
        processes.awaitHttp(
            "frontdoor-" + REGIONS.get(i),
            frontDoors.get(i),
            "http://127.0.0.1:" + adminPorts.get(REGIONS.get(i)) + "/readyz",
            Duration.ofSeconds(60));
      }
      for (String region : REGIONS) {
        links.put(
            region, RegionLink.open(region, redis.get(region).uri(), false, Duration.ofSeconds(2)));
      }
      HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      long[] acknowledged = new long[publications];
      long[] adopted = new long[publications];
      log.info(
          "Publishing {} routing tables to {} regions after {} not timed",
          publications,
          REGIONS.size(),
          WARMUP);
      for (int i = -WARMUP; i < publications; i++) {
        epoch++;
        RoutingTable table = table(epoch, publicPorts);
        long start = System.nanoTime();
        CompletableFuture<?>[] writes =
            links.values().stream()
                .map(link -> link.publish(table).toCompletableFuture())
                .toArray(CompletableFuture[]::new);
        CompletableFuture.allOf(writes).join();
        long acknowledgedAt = System.nanoTime();
        for (String region : REGIONS) {
          awaitEpoch(http, adminPorts.get(region), epoch, region);
        }
        if (i >= 0) {
          acknowledged[i] = (acknowledgedAt - start) / 1_000;
          adopted[i] = (System.nanoTime() - start) / 1_000;
        }
      }
      Arrays.sort(acknowledged);
      Arrays.sort(adopted);
      return new Result(publications, acknowledged, adopted, commands);
    } finally {
      links.values().forEach(RegionLink::close);
      redis.values().forEach(RedisServer::close);
    }
  }

  /** Polls a front-door's /healthz until it routes by {@code epoch}, at most ten seconds. */
  private static void awaitEpoch(HttpClient http, int adminPort, long epoch, String region)
      throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/healthz")).build();
    long deadline = System.nanoTime() + ADOPTION_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      JsonNode status =
          JSON.readTree(http.send(request, HttpResponse.BodyHandlers.ofString()).body());
      if (status.path("routingEpoch").asLong(-1) >= epoch) {
        return;
      }
    }
    throw new IllegalStateException(
        "front-door "
            + region
            + " did not route by epoch "
            + epoch
            + " within "
            + ADOPTION_TIMEOUT);
  }

  private static RoutingTable table(long epoch, Map<String, Integer> publicPorts) {
    Map<String, RegionRoute> regions = new LinkedHashMap<>();
    publicPorts.forEach(
        (region, port) ->
            regions.put(
                region,
                new RegionRoute(RegionPhase.Active, null, "http://127.0.0.1:" + port, "bench")));
    // 4096 buckets in three ranges, as a real placement would have them.
    return new RoutingTable(
        epoch,
        4096,
        regions,
        List.of(
            new BucketAssignment(0, 1364, REGIONS.get(0)),
            new BucketAssignment(1365, 2729, REGIONS.get(1)),
            new BucketAssignment(2730, 4095, REGIONS.get(2))),
        Instant.now().toString());
  }

  private static void seed(RedisServer redis, RoutingTable table) {
    RedisClient client = RedisClient.create(redis.uri());
    try (var connection = client.connect()) {
      connection.sync().set(RedisKeys.ROUTING_TABLE, ContractJson.write(table));
    } finally {
      client.shutdown();
    }
  }
}
