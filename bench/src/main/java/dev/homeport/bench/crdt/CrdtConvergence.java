package dev.homeport.bench.crdt;

import dev.homeport.bench.Processes;
import dev.homeport.bench.ThreeRegions;
import dev.homeport.bench.proxy.ProxyOverhead;
import dev.homeport.bench.proxy.WrkResult;
import dev.homeport.frontdoor.crdt.CounterStore;
import io.lettuce.core.api.sync.RedisCommands;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Part 3 across regions: three regions (own Redis and front-door each), default CRDT settings.
 * First wrk increments 100 counters through one region's HTTP API; once every region holds the same
 * totals, the run checks them against the increments acknowledged (none may be lost) and divides
 * the bytes that region shipped to its peers by the increments. Then single increments, entering
 * each region in turn, are timed from acknowledgement until both other regions' Redis hold them.
 */
public final class CrdtConvergence {

  private static final Logger log = LoggerFactory.getLogger(CrdtConvergence.class);
  private static final int COUNTERS = 100;
  private static final long SETTLE_NANOS = 60_000_000_000L;
  private static final long SAMPLE_TIMEOUT_NANOS = 30_000_000_000L;
  private static final Pattern BYTES =
      Pattern.compile("homeport_crdt_replication_bytes_total\\{[^}]*\\} ([0-9.eE+]+)");

  /**
   * @param load wrk's increments into the first region (one request = one increment)
   * @param acknowledged increments answered 2xx, warm-up included
   * @param lowestTotal the lowest total any region held once they agreed (or at the deadline)
   * @param lost acknowledged increments missing from some region: acknowledged − lowestTotal, if
   *     positive
   * @param bytesPerIncrement replication bytes the first region shipped (to both peers), per
   *     increment
   * @param convergenceMicros per sample, acknowledged → visible in both other regions, sorted
   * @param unconverged samples not visible everywhere within 30 s
   */
  public record Result(
      WrkResult load,
      long acknowledged,
      long lowestTotal,
      long lost,
      double bytesPerIncrement,
      long[] convergenceMicros,
      int unconverged,
      List<String> commands) {}

  private final Path workDir;
  private final int connections;
  private final int warmupSeconds;
  private final int seconds;
  private final int samples;
  private final int serverCore;
  private final int loadCore;

  public CrdtConvergence(
      Path workDir,
      int connections,
      int warmupSeconds,
      int seconds,
      int samples,
      int serverCore,
      int loadCore) {
    this.workDir = workDir;
    this.warmupSeconds = warmupSeconds;
    this.connections = connections;
    this.seconds = seconds;
    this.samples = samples;
    this.serverCore = serverCore;
    this.loadCore = loadCore;
  }

  public Result run(Path frontDoorJar) throws Exception {
    try (ThreeRegions regions = new ThreeRegions(workDir, frontDoorJar, serverCore)) {
      List<String> commands = new ArrayList<>(regions.commands());
      String entry = ThreeRegions.REGIONS.get(0);
      Path script = workDir.resolve("wrk-increment.lua");
      Files.writeString(
          script,
          resource(CrdtConvergence.class, "wrk-increment.lua")
              + resource(ProxyOverhead.class, "wrk-summary.lua"));
      List<String> wrk =
          List.of(
              "taskset",
              "-c",
              Integer.toString(loadCore),
              "wrk",
              "-t1",
              "-c" + connections,
              "-d" + seconds + "s",
              "--timeout",
              "5s",
              "-s",
              script.toString(),
              regions.publicUrl(entry) + "/");
      commands.add(Processes.shell(wrk));
      List<String> warmup = new ArrayList<>(wrk);
      warmup.set(warmup.indexOf("-d" + seconds + "s"), "-d" + warmupSeconds + "s");
      log.info("CRDT convergence: {} s of warm-up increments into {}", warmupSeconds, entry);
      WrkResult warm = WrkResult.parse(Processes.output(warmup));
      double bytesBefore = replicationBytes(regions.adminUrl(entry));
      log.info("CRDT convergence: {} s of increments into {}", seconds, entry);
      WrkResult load = WrkResult.parse(Processes.output(wrk));
      // Both runs count: the totals hold the warm-up's increments too.
      long acknowledged =
          warm.requests() - warm.statusErrors() + load.requests() - load.statusErrors();

      // Wait until every region holds what the entry region holds, then compare.
      long deadline = System.nanoTime() + SETTLE_NANOS;
      long[] totals;
      do {
        totals = totals(regions, entry);
      } while (!(totals[0] == totals[1] && totals[1] == totals[2]) && System.nanoTime() < deadline);
      long lowest = Arrays.stream(totals).min().orElse(0);
      // Shipped after the measured load began: its increments, and the warm-up's tail, if any.
      double bytes = replicationBytes(regions.adminUrl(entry)) - bytesBefore;
      long measured = load.requests() - load.statusErrors();

      log.info("CRDT convergence: {} single increments", samples);
      long[] convergence = new long[samples];
      int unconverged = 0;
      HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      for (int i = 0; i < samples; i++) {
        String region = ThreeRegions.REGIONS.get(i % 3);
        String counter = "convergence-" + i;
        HttpResponse<String> response =
            http.send(
                HttpRequest.newBuilder(
                        URI.create(
                            regions.publicUrl(region) + "/v1/counters/" + counter + ":increment"))
                    .POST(HttpRequest.BodyPublishers.noBody())
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        long acknowledgedAt = System.nanoTime();
        if (response.statusCode() != 200) {
          throw new IllegalStateException(
              "increment in "
                  + region
                  + " answered "
                  + response.statusCode()
                  + ": "
                  + response.body());
        }
        boolean everywhere = true;
        for (String other : ThreeRegions.REGIONS) {
          if (!other.equals(region)) {
            everywhere &= visible(regions.connection(other).sync(), counter, region);
          }
        }
        convergence[i] = (System.nanoTime() - acknowledgedAt) / 1_000;
        if (!everywhere) {
          unconverged++;
        }
      }
      Arrays.sort(convergence);
      return new Result(
          load,
          acknowledged,
          lowest,
          Math.max(0, acknowledged - lowest),
          bytes / Math.max(1, measured),
          convergence,
          unconverged,
          commands);
    }
  }

  /** Polls until the region's slot of the counter is in this Redis; false after 30 s. */
  private static boolean visible(
      RedisCommands<String, String> redis, String counter, String region) {
    long deadline = System.nanoTime() + SAMPLE_TIMEOUT_NANOS;
    while (System.nanoTime() < deadline) {
      if (redis.hget(CounterStore.key(counter), region + ":p") != null) {
        return true;
      }
    }
    return false;
  }

  /** Per region, the entry region's increments of the load's counters as that Redis holds them. */
  private static long[] totals(ThreeRegions regions, String entry) {
    long[] totals = new long[ThreeRegions.REGIONS.size()];
    for (int r = 0; r < totals.length; r++) {
      RedisCommands<String, String> redis = regions.connection(ThreeRegions.REGIONS.get(r)).sync();
      for (int i = 0; i < COUNTERS; i++) {
        String value = redis.hget(CounterStore.key("http-" + i), entry + ":p");
        totals[r] += value == null ? 0 : Long.parseLong(value);
      }
    }
    return totals;
  }

  /** Bytes a front-door has shipped to its peers, summed from its Prometheus endpoint. */
  private static double replicationBytes(String adminUrl) throws Exception {
    String metrics =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(adminUrl + "/metrics"))
                    .header("Authorization", "Bearer " + ThreeRegions.ADMIN_TOKEN)
                    .build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
    return sumOfBytes(metrics);
  }

  /** The sum of every homeport_crdt_replication_bytes_total series in a Prometheus text. */
  static double sumOfBytes(String metrics) {
    Matcher bytes = BYTES.matcher(metrics);
    double total = 0;
    while (bytes.find()) {
      total += Double.parseDouble(bytes.group(1));
    }
    return total;
  }

  private static String resource(Class<?> owner, String name) throws Exception {
    try (InputStream in = owner.getResourceAsStream(name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
