package dev.homeport.bench.controlplane;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.homeport.bench.ThreeRegions;
import dev.homeport.contract.RoutingTable;
import dev.homeport.operator.region.RegionLink;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
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
    try (ThreeRegions regions = new ThreeRegions(workDir, frontDoorJar, serverCore)) {
      // Closed before the regions' Redis go, so that no link tries to reconnect to them.
      Map<String, RegionLink> links = new LinkedHashMap<>();
      try {
        return publish(regions, links);
      } finally {
        links.values().forEach(RegionLink::close);
      }
    }
  }

  private Result publish(ThreeRegions regions, Map<String, RegionLink> links) throws Exception {
    for (String region : ThreeRegions.REGIONS) {
      links.put(
          region,
          RegionLink.open(region, regions.redis(region).uri(), false, Duration.ofSeconds(2)));
    }
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    long[] acknowledged = new long[publications];
    long[] adopted = new long[publications];
    log.info(
        "Publishing {} routing tables to {} regions after {} not timed",
        publications,
        ThreeRegions.REGIONS.size(),
        WARMUP);
    long epoch = 1;
    for (int i = -WARMUP; i < publications; i++) {
      epoch++;
      RoutingTable table = regions.table(epoch);
      long start = System.nanoTime();
      CompletableFuture<?>[] writes =
          links.values().stream()
              .map(link -> link.publish(table).toCompletableFuture())
              .toArray(CompletableFuture[]::new);
      CompletableFuture.allOf(writes).join();
      long acknowledgedAt = System.nanoTime();
      for (String region : ThreeRegions.REGIONS) {
        awaitEpoch(http, regions.adminUrl(region), epoch, region);
      }
      if (i >= 0) {
        acknowledged[i] = (acknowledgedAt - start) / 1_000;
        adopted[i] = (System.nanoTime() - start) / 1_000;
      }
    }
    Arrays.sort(acknowledged);
    Arrays.sort(adopted);
    return new Result(publications, acknowledged, adopted, List.copyOf(regions.commands()));
  }

  /** Polls a front-door's /healthz until it routes by {@code epoch}, at most ten seconds. */
  private static void awaitEpoch(HttpClient http, String adminUrl, long epoch, String region)
      throws Exception {
    HttpRequest request = HttpRequest.newBuilder(URI.create(adminUrl + "/healthz")).build();
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
}
