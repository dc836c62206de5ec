package dev.homeport.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.homeport.contract.BucketAssignment;
import dev.homeport.contract.ContractJson;
import dev.homeport.contract.DirectoryEntry;
import dev.homeport.contract.RedisKeys;
import dev.homeport.contract.RoutingTable;
import dev.homeport.crds.v1alpha1.HomeAssignment;
import dev.homeport.crds.v1alpha1.status.HomeAssignmentPhase;
import dev.homeport.crds.v1alpha1.status.HomeAssignmentStatus;
import dev.homeport.e2e.history.AppliedWrite;
import dev.homeport.frontdoor.FrontDoor;
import dev.homeport.frontdoor.config.FrontDoorConfig;
import dev.homeport.frontdoor.routing.RoutingSnapshot;
import dev.homeport.testkit.CommandResult;
import dev.homeport.testkit.KubeApiServerExtension;
import dev.homeport.testkit.ProjectPaths;
import dev.homeport.testkit.RedisServer;
import dev.homeport.testkit.TestKubeApiServer;
import dev.homeport.testkit.ToxiproxyServer;
import eu.rekawek.toxiproxy.Proxy;
import eu.rekawek.toxiproxy.model.ToxicDirection;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Re-homing under load: a real API server, the operator as its own process (killed and restarted
 * mid-move), three front-doors, three redis-servers, and a backend per region that records every
 * write and replicates to the others with a lag. The operator reaches each region's Redis through
 * Toxiproxy so that its steps can be slowed down.
 */
@ExtendWith(KubeApiServerExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RehomingIT {

  private static final List<String> REGIONS = List.of("mumbai", "frankfurt", "singapore");
  private static final int BUCKETS = 64;
  private static final String NAMESPACE = "default";

  private KubernetesClient client;
  private TestKubeApiServer apiServer;
  private Vertx vertx;
  private ToxiproxyServer toxiproxy;
  private SampleBackends backends;
  private final Map<String, RedisServer> redis = new LinkedHashMap<>();
  private final Map<String, FrontDoor> frontDoors = new LinkedHashMap<>();
  private final Map<String, Proxy> operatorLinks = new LinkedHashMap<>();
  private final Map<String, StatefulRedisConnection<String, String>> inspect = new HashMap<>();
  private final List<RedisClient> redisClients = new ArrayList<>();
  private Process operator;
  private RoutingSnapshot table;

  @BeforeAll
  void startRegions(TestKubeApiServer apiServer) throws Exception {
    this.apiServer = apiServer;
    this.client = apiServer.client();
    CommandResult crds =
        apiServer.kubectl("apply", "-f", ProjectPaths.root().resolve("crds").toString());
    assertThat(crds.exitCode()).as(crds.toString()).isZero();
    apiServer.kubectl(
        "wait", "--for=condition=Established", "--timeout=60s", "crd/homeassignments.homeport.dev");
    vertx = Vertx.vertx();
    toxiproxy = ToxiproxyServer.start();
    Map<String, Integer> anyPorts = new LinkedHashMap<>();
    REGIONS.forEach(region -> anyPorts.put(region, 0));
    backends = new SampleBackends(vertx, anyPorts, write -> {});
    for (String region : REGIONS) {
      RedisServer server = RedisServer.start();
      redis.put(region, server);
      RedisClient redisClient = RedisClient.create(server.uri());
      redisClients.add(redisClient);
      inspect.put(region, redisClient.connect());
      FrontDoorConfig config =
          FrontDoorConfig.parse(
              """
              region: %s
              redis: {uri: %s}
              backend: http://127.0.0.1:%d
              listen: {host: 127.0.0.1, public: 0, admin: 0}
              routingKey: {from: header, name: X-User-Id}
              routes:
                - {name: orders, path: /orders, policy: home, onHomeDown: reject}
              routingTable: {pollInterval: 200ms}
              secrets: {internal: rehoming-internal-secret, admin: rehoming-admin-token}
              """
                  .formatted(region, server.uri(), backends.port(region)),
              Map.of());
      frontDoors.put(region, FrontDoor.start(vertx, config).await());
      operatorLinks.put(region, toxiproxy.link("operator-" + region, server.port()));
    }
    client.resource(topology()).serverSideApply();
    startOperator();
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> inspect.get("mumbai").sync().get(RedisKeys.ROUTING_TABLE) != null);
    table =
        RoutingSnapshot.of(
            ContractJson.read(
                inspect.get("mumbai").sync().get(RedisKeys.ROUTING_TABLE), RoutingTable.class));
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                client
                    .resources(dev.homeport.crds.v1alpha1.RegionTopology.class)
                    .withName("global")
                    .get()
                    .getStatus()
                    .getSummary()
                    .equals("mumbai:Active frankfurt:Active singapore:Active"));
  }

  @AfterAll
  void stopRegions() throws Exception {
    if (operator != null) {
      operator.destroyForcibly().waitFor();
    }
    for (FrontDoor frontDoor : frontDoors.values()) {
      frontDoor.stop().await();
    }
    inspect.values().forEach(StatefulRedisConnection::close);
    redisClients.forEach(RedisClient::shutdown);
    redis.values().forEach(RedisServer::close);
    if (toxiproxy != null) {
      toxiproxy.close();
    }
    if (vertx != null) {
      vertx.close().await();
    }
  }

  @Test
  void thousandKeysMoveUnderLoadWithEveryAcknowledgedWriteAtExactlyOneHome() throws Exception {
    List<String> keys = keysHomedIn("mumbai", "user-", 1000);
    backends.lag(100);
    WriteLoad load = new WriteLoad(entries(), keys, 16, Duration.ofSeconds(90));
    await().atMost(Duration.ofSeconds(20)).until(() -> load.acknowledged.size() > 2000);
    long created = System.nanoTime();
    create("move-1000", keys, "singapore", 2000, "2s");
    HomeAssignment done = awaitFinished("move-1000", Duration.ofSeconds(60));
    long finished = System.nanoTime();
    int ackedBefore = load.acknowledged.size();
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> load.acknowledged.size() > ackedBefore + 2000);
    load.close();

    assertThat(done.getStatus().getPhase()).isEqualTo(HomeAssignmentPhase.Completed);
    assertThat(done.getStatus().getMovedKeys()).isEqualTo(1000);
    assertWritesAtExactlyOneHome(load, Set.copyOf(keys));
    for (String region : REGIONS) {
      for (String key : keys) {
        assertThat(entry(region, key))
            .as(region + " " + key)
            .isEqualTo(DirectoryEntry.settled("singapore", entry(region, key).epoch()));
      }
    }
    List<Double> windows = load.windowsMillis();
    double p50 = percentile(windows, 0.50);
    double p99 = percentile(windows, 0.99);
    System.out.printf(
        "Re-homed 1000 keys mumbai -> singapore in %d batches of %d in %.2f s under load: %d"
            + " writes acknowledged, %d duplicates, %d stale; %d writes met a fence; per-key"
            + " write unavailability p50 %.0f ms, p99 %.0f ms, max %.0f ms; operator's longest"
            + " fence-to-switch %s%n",
        done.getStatus().getTotalBatches(),
        done.getStatus().getBatchSize(),
        (finished - created) / 1e9,
        load.acknowledged.size(),
        backends.duplicates(),
        backends.staleWrites().size(),
        windows.size(),
        p50,
        p99,
        windows.isEmpty() ? 0 : windows.get(windows.size() - 1),
        done.getStatus().getWriteUnavailability());
    assertThat(windows).as("writes met a fence while their keys moved").isNotEmpty();
    // The move's promise (maxWriteUnavailability 2s) as clients see it; the 500 ms p99 goal is a
    // figure of the benchmarks (bench/run.sh), measured on an idle machine.
    assertThat(windows.get(windows.size() - 1))
        .as("longest per-key write unavailability (ms)")
        .isLessThan(2000);
  }

  /**
   * Singapore's bucket range, holding 100,000 keys, moves to mumbai at 25,000 keys/s while writes
   * to 2,000 of those keys go through all three front-doors; kubectl shows the progress.
   */
  @Test
  void hundredThousandKeysMoveByBucketRangeAtTheRateGiven() throws Exception {
    List<Integer> buckets = new ArrayList<>();
    for (BucketAssignment range : table.table().bucketMap()) {
      if (range.region().equals("singapore")) {
        for (int b = range.from(); b <= range.to(); b++) {
          buckets.add(b);
        }
      }
    }
    String subject = buckets.get(0) + "-" + buckets.get(buckets.size() - 1);
    assertThat(buckets.size())
        .as("singapore's range is contiguous")
        .isEqualTo(buckets.get(buckets.size() - 1) - buckets.get(0) + 1);
    List<String> stored = keysHomedIn("singapore", "bulk-", 100_000);
    backends.preload(stored);
    List<String> written = stored.subList(0, 2_000);
    int rate = 25_000;
    backends.lag(100);
    WriteLoad load = new WriteLoad(entries(), written, 16, Duration.ofSeconds(90));
    await().atMost(Duration.ofSeconds(20)).until(() -> load.acknowledged.size() > 2000);

    Set<String> progress = new LinkedHashSet<>();
    AtomicBoolean watching = new AtomicBoolean(true);
    Thread watcher =
        new Thread(
            () -> {
              while (watching.get()) {
                CommandResult get =
                    apiServer.kubectl(
                        "get",
                        "homeassignment",
                        "bulk",
                        "-n",
                        NAMESPACE,
                        "-o",
                        "jsonpath={.status.phase} {.status.movedKeys}/{.status.totalKeys}"
                            + " batch {.status.currentBatch}/{.status.totalBatches}");
                if (get.exitCode() == 0) {
                  progress.add(get.stdout().trim());
                }
              }
            });
    long created = System.nanoTime();
    client
        .resource(
            """
            apiVersion: homeport.dev/v1alpha1
            kind: HomeAssignment
            metadata: {name: bulk, namespace: %s}
            spec:
              subject: {buckets: ["%s"]}
              toRegion: mumbai
              reason: bulk move test
              rate: %d
              maxWriteUnavailability: 2s
            """
                .formatted(NAMESPACE, subject, rate))
        .create();
    watcher.start();
    HomeAssignment done = awaitFinished("bulk", Duration.ofSeconds(60));
    double seconds = (System.nanoTime() - created) / 1e9;
    watching.set(false);
    watcher.join();
    int ackedBefore = load.acknowledged.size();
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> load.acknowledged.size() > ackedBefore + 2000);
    load.close();

    HomeAssignmentStatus status = done.getStatus();
    assertThat(status.getPhase()).as(status.getMessage()).isEqualTo(HomeAssignmentPhase.Completed);
    long total = status.getTotalKeys();
    assertThat(total)
        .as("keys the application reports in the buckets")
        .isGreaterThanOrEqualTo(100_000);
    assertThat(status.getMovedKeys()).isEqualTo(total);
    assertWritesAtExactlyOneHome(load, Set.copyOf(written), "singapore", "mumbai");
    for (String region : REGIONS) {
      for (int bucket : buckets) {
        String json = inspect.get(region).sync().hget(RedisKeys.BUCKETS, Integer.toString(bucket));
        DirectoryEntry entry = ContractJson.read(json, DirectoryEntry.class);
        assertThat(entry.home()).as(region + " bucket " + bucket).isEqualTo("mumbai");
        assertThat(entry.fenced()).isFalse();
      }
    }
    assertThat(WriteLoadProbe.status(entries().get(2), stored.get(99_999))).isEqualTo(200);
    assertThat(backends.applied(WriteLoadProbe.lastId).region()).isEqualTo("mumbai");

    // Paced by the rate: the last batch may not start before (total - its keys) / rate.
    double paced = (double) (total - total / status.getTotalBatches()) / rate;
    List<Double> windows = load.windowsMillis();
    System.out.printf(
        "Re-homed %d keys in buckets %s singapore -> mumbai at rate %d keys/s in %d batches of"
            + " ~%d keys: %.2f s (pacing floor %.2f s, rate alone %.2f s); under load %d writes"
            + " acknowledged, %d met a fence, per-key write unavailability p50 %.0f ms, p99 %.0f"
            + " ms; kubectl saw %d distinct progress states: %s%n",
        total,
        subject,
        rate,
        status.getTotalBatches(),
        status.getBatchSize(),
        seconds,
        paced,
        (double) total / rate,
        load.acknowledged.size(),
        windows.size(),
        percentile(windows, 0.5),
        percentile(windows, 0.99),
        progress.size(),
        progress);
    assertThat(seconds).as("no faster than the rate").isGreaterThanOrEqualTo(paced);
    assertThat(seconds)
        .as("within the rate, plus protocol time")
        .isLessThan(total / (double) rate + 10);
    assertThat(progress).as("kubectl shows batches moving").anyMatch(RehomingIT::partlyMoved);
    assertThat(percentile(windows, 1.0))
        .as("longest per-key write unavailability (ms), within maxWriteUnavailability 2s")
        .isLessThan(2000);
  }

  /** A kubectl progress line "Phase moved/total batch i/n" with 0 < moved < total. */
  private static boolean partlyMoved(String line) {
    String[] parts = line.split(" ");
    if (parts.length < 2 || !parts[1].matches("\\d+/\\d+")) {
      return false;
    }
    String[] counts = parts[1].split("/");
    long moved = Long.parseLong(counts[0]);
    return moved > 0 && moved < Long.parseLong(counts[1]);
  }

  @Test
  void invalidAssignmentsAreRejectedNamingTheField() throws Exception {
    List<String> keys = keysHomedIn("mumbai", "invalid-", 40);
    CommandResult both =
        apiServer.kubectl(
            "apply",
            "-f",
            write(
                """
                apiVersion: homeport.dev/v1alpha1
                kind: HomeAssignment
                metadata: {name: both, namespace: default}
                spec:
                  subject: {keys: [a], buckets: ["0-3"]}
                  toRegion: singapore
                """));
    assertThat(both.exitCode()).isNotZero();
    assertThat(both.toString()).contains("exactly one of subject.keys");

    client
        .resource(
            """
            apiVersion: homeport.dev/v1alpha1
            kind: HomeAssignment
            metadata: {name: past-the-end, namespace: default}
            spec:
              subject: {buckets: ["3", "60-70"]}
              toRegion: singapore
            """)
        .create();
    assertFailed(
        "past-the-end",
        "InvalidSubject",
        "spec.subject.buckets[1] (60-70): RegionTopology global has 64 buckets, 0-63");

    create("to-tokyo", keys.subList(0, 2), "tokyo", 100, "2s");
    assertFailed(
        "to-tokyo",
        "TargetUnavailable",
        "spec.toRegion: region tokyo is not in RegionTopology global");

    create("to-frankfurt", keys.subList(0, 2), "frankfurt", 100, "2s");
    assertFailed(
        "to-frankfurt",
        "ResidencyViolation",
        "spec.subject.keys[0] ("
            + keys.get(0)
            + "): its home mumbai has residency in, which region frankfurt does not allow");

    // A move held in Draining (replication stopped) claims its keys; an overlapping one fails.
    backends.lag(Long.MAX_VALUE);
    try {
      // mumbai takes a write that does not replicate, so no move out of mumbai can drain.
      assertThat(WriteLoadProbe.status(entries().get(0), keys.get(39))).isEqualTo(200);
      create("held", keys.subList(0, 20), "singapore", 100, "30s");
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> phase("held") == HomeAssignmentPhase.Draining);
      create("overlapping", keys.subList(10, 30), "singapore", 100, "2s");
      assertFailed(
          "overlapping",
          "OverlappingMove",
          "spec.subject.keys[0] ("
              + keys.get(10)
              + ") is already moving in HomeAssignment default/held");
      assertThat(get("held").getMetadata().getFinalizers()).isNotEmpty();
      // While fenced, every front-door refuses writes for the held keys.
      for (URI entry : entries()) {
        assertThat(WriteLoadProbe.status(entry, keys.get(0))).isEqualTo(503);
      }

      // Deleting the in-flight move rolls its batch back: the keys are mumbai's again, unfenced.
      client.resources(HomeAssignment.class).inNamespace(NAMESPACE).withName("held").delete();
      await().atMost(Duration.ofSeconds(30)).until(() -> get("held") == null);
      for (String region : REGIONS) {
        for (String key : keys.subList(0, 20)) {
          DirectoryEntry entry = entry(region, key);
          assertThat(entry == null || (!entry.fenced() && entry.home().equals("mumbai")))
              .as(region + " " + key + " " + entry)
              .isTrue();
        }
      }
      assertThat(WriteLoadProbe.status(entries().get(1), keys.get(0))).isEqualTo(200);
      assertThat(backends.applied(WriteLoadProbe.lastId).region()).isEqualTo("mumbai");
    } finally {
      backends.lag(100);
    }
  }

  @Test
  void aMoveThatCannotDrainInTimeRollsBack() throws Exception {
    List<String> keys = keysHomedIn("mumbai", "slow-", 30);
    backends.lag(Long.MAX_VALUE);
    try {
      assertThat(WriteLoadProbe.status(entries().get(0), keys.get(29))).isEqualTo(200);
      create("too-slow", keys, "singapore", 100, "700ms");
      HomeAssignment done = awaitFinished("too-slow", Duration.ofSeconds(30));
      assertThat(done.getStatus().getPhase()).isEqualTo(HomeAssignmentPhase.RolledBack);
      assertThat(done.getStatus().getMessage())
          .contains("could not switch within maxWriteUnavailability (700ms)")
          .contains("region singapore had not applied region mumbai's writes");
      for (String region : REGIONS) {
        for (String key : keys) {
          assertThat(entry(region, key)).as(region + " " + key).isNull();
        }
      }
      assertThat(WriteLoadProbe.status(entries().get(2), keys.get(0))).isEqualTo(200);
      assertThat(backends.applied(WriteLoadProbe.lastId).region()).isEqualTo("mumbai");
    } finally {
      backends.lag(100);
    }
  }

  @Test
  void anOperatorKilledInAnyPhaseFinishesOrRollsBackCleanly() throws Exception {
    backends.lag(400);
    for (Proxy link : operatorLinks.values()) {
      link.toxics().latency("slow-operator", ToxicDirection.DOWNSTREAM, 60);
    }
    List<String> all = new ArrayList<>();
    Map<HomeAssignmentPhase, String> outcomes = new LinkedHashMap<>();
    try (WriteLoad load =
        new WriteLoad(entries(), keysHomedIn("mumbai", "kill-", 400), 6, Duration.ofSeconds(150))) {
      int n = 0;
      for (HomeAssignmentPhase phase :
          List.of(
              HomeAssignmentPhase.Validating,
              HomeAssignmentPhase.Fencing,
              HomeAssignmentPhase.Draining,
              HomeAssignmentPhase.Switching)) {
        List<String> keys = keysHomedIn("mumbai", "kill-", 400).subList(n * 100, n * 100 + 100);
        n++;
        all.addAll(keys);
        String name = "kill-in-" + phase.name().toLowerCase();
        create(name, keys, "singapore", 200, "4s");
        await()
            .atMost(Duration.ofSeconds(30))
            .pollInterval(Duration.ofMillis(5))
            .until(() -> phase(name) == phase);
        operator.destroyForcibly().waitFor();
        startOperator();
        HomeAssignment done = awaitFinished(name, Duration.ofSeconds(60));
        outcomes.put(
            phase, done.getStatus().getPhase() + " (" + done.getStatus().getMessage() + ")");
        assertThat(done.getStatus().getPhase())
            .isIn(HomeAssignmentPhase.Completed, HomeAssignmentPhase.RolledBack);
        for (String key : keys) {
          Set<String> homes = new TreeSet<>();
          for (String region : REGIONS) {
            DirectoryEntry entry = entry(region, key);
            assertThat(entry == null || !entry.fenced())
                .as(region + " " + key + " " + entry)
                .isTrue();
            homes.add(entry == null ? "mumbai" : entry.home());
          }
          assertThat(homes).as("every region names one home for " + key).hasSize(1);
        }
      }
    } finally {
      for (Proxy link : operatorLinks.values()) {
        link.toxics().get("slow-operator").remove();
      }
      backends.lag(100);
    }
    outcomes.forEach(
        (phase, outcome) -> System.out.println("Operator killed in " + phase + ": " + outcome));
  }

  private HomeAssignmentPhase phase(String name) {
    HomeAssignment assignment = get(name);
    return assignment == null || assignment.getStatus() == null
        ? null
        : assignment.getStatus().getPhase();
  }

  private void assertFailed(String name, String reason, String message) {
    HomeAssignment failed = awaitFinished(name, Duration.ofSeconds(30));
    assertThat(failed.getStatus().getPhase()).isEqualTo(HomeAssignmentPhase.Failed);
    Condition valid =
        failed.getStatus().getConditions().stream()
            .filter(c -> c.getType().equals("Valid"))
            .findFirst()
            .orElseThrow();
    assertThat(valid.getStatus()).isEqualTo("False");
    assertThat(valid.getReason()).isEqualTo(reason);
    assertThat(valid.getMessage()).contains(message);
  }

  private static String write(String yaml) throws IOException {
    Path file = Files.createTempFile("homeassignment", ".yaml");
    Files.writeString(file, yaml);
    return file.toString();
  }

  private void assertWritesAtExactlyOneHome(WriteLoad load, Set<String> keys) {
    assertWritesAtExactlyOneHome(load, keys, "mumbai", "singapore");
  }

  private void assertWritesAtExactlyOneHome(
      WriteLoad load, Set<String> keys, String from, String to) {
    assertThat(load.failures).as("writes failed other than by a fence").isEmpty();
    assertThat(backends.duplicates()).as("writes applied twice").isZero();
    assertThat(backends.staleWrites()).as("writes applied before replication caught up").isEmpty();
    for (var acked : load.acknowledged.entrySet()) {
      assertThat(backends.applied(acked.getKey()))
          .as("acknowledged write " + acked.getKey() + " was applied")
          .isNotNull();
    }
    Map<String, List<AppliedWrite>> byKey = new HashMap<>();
    for (AppliedWrite write : backends.writes()) {
      if (keys.contains(write.key())) {
        byKey.computeIfAbsent(write.key(), k -> new ArrayList<>()).add(write);
      }
    }
    for (var writes : byKey.entrySet()) {
      List<AppliedWrite> ordered =
          writes.getValue().stream()
              .sorted((a, b) -> Long.compare(a.atNanos(), b.atNanos()))
              .toList();
      int switches = 0;
      for (int i = 1; i < ordered.size(); i++) {
        if (!ordered.get(i).region().equals(ordered.get(i - 1).region())) {
          switches++;
        }
      }
      assertThat(switches)
          .as("key " + writes.getKey() + " had its writes taken by one home, then the other")
          .isLessThanOrEqualTo(1);
      assertThat(ordered)
          .as("key " + writes.getKey() + ": only its old home, then its new one, took writes")
          .allMatch(w -> w.region().equals(from) || w.region().equals(to));
      if (switches == 1) {
        assertThat(ordered.get(0).region()).isEqualTo(from);
      }
    }
  }

  // ---- fixture --------------------------------------------------------------------------------

  private void create(String name, List<String> keys, String to, int rate, String maxUnavailable) {
    client
        .resource(
            """
            apiVersion: homeport.dev/v1alpha1
            kind: HomeAssignment
            metadata: {name: %s, namespace: %s}
            spec:
              subject:
                keys: [%s]
              toRegion: %s
              reason: test move
              rate: %d
              maxWriteUnavailability: %s
            """
                .formatted(name, NAMESPACE, String.join(", ", keys), to, rate, maxUnavailable))
        .create();
  }

  private HomeAssignment get(String name) {
    return client.resources(HomeAssignment.class).inNamespace(NAMESPACE).withName(name).get();
  }

  private HomeAssignment awaitFinished(String name, Duration atMost) {
    await()
        .atMost(atMost)
        .pollInterval(Duration.ofMillis(100))
        .until(
            () -> {
              HomeAssignment assignment = get(name);
              return assignment.getStatus() != null
                  && assignment.getStatus().getPhase() != null
                  && assignment.getStatus().getPhase().finished();
            });
    return get(name);
  }

  private DirectoryEntry entry(String region, String key) {
    String json = inspect.get(region).sync().get(RedisKeys.directory(key));
    return json == null ? null : ContractJson.read(json, DirectoryEntry.class);
  }

  private List<String> keysHomedIn(String region, String prefix, int count) {
    List<String> keys = new ArrayList<>();
    for (int i = 0; keys.size() < count; i++) {
      if (table.bucketHome(prefix + i).equals(region)) {
        keys.add(prefix + i);
      }
    }
    return keys;
  }

  private List<URI> entries() {
    return frontDoors.values().stream()
        .map(f -> URI.create("http://127.0.0.1:" + f.publicPort() + "/orders"))
        .toList();
  }

  private static double percentile(List<Double> sorted, double p) {
    return sorted.isEmpty()
        ? 0
        : sorted.get((int) Math.min(sorted.size() - 1, Math.floor(p * sorted.size())));
  }

  private void startOperator() throws IOException {
    Path jar = ProjectPaths.root().resolve("operator/target/homeport-operator.jar");
    assertThat(jar).as("the operator jar (mvn package -pl operator)").exists();
    int healthPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      healthPort = socket.getLocalPort();
    }
    Path log = ProjectPaths.root().resolve("e2e/target/rehoming-operator.log");
    Files.createDirectories(log.getParent());
    ProcessBuilder builder =
        new ProcessBuilder(
                ProcessHandle.current().info().command().orElse("java"),
                "-jar",
                jar.toString(),
                "--health-host",
                "127.0.0.1",
                "--health-port",
                Integer.toString(healthPort))
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    builder.environment().put("KUBECONFIG", apiServer.kubeconfig().toString());
    operator = builder.start();
  }

  private String topology() {
    Map<String, String> residency = Map.of("mumbai", "in", "frankfurt", "eu", "singapore", "sg");
    Map<String, String> accepts = Map.of("mumbai", "[sg]", "frankfurt", "[]", "singapore", "[in]");
    StringBuilder yaml =
        new StringBuilder(
            """
            apiVersion: homeport.dev/v1alpha1
            kind: RegionTopology
            metadata:
              name: global
            spec:
              regions:
            """);
    for (String region : REGIONS) {
      yaml.append(
          """
              - name: %s
                residency: %s
                acceptsResidency: %s
                frontDoor:
                  url: http://127.0.0.1:%d
                  adminUrl: http://127.0.0.1:%d
                redis:
                  url: redis://127.0.0.1:%d
                replicationProbe: http://127.0.0.1:%d/replication
          """
              .formatted(
                  region,
                  residency.get(region),
                  accepts.get(region),
                  frontDoors.get(region).publicPort(),
                  frontDoors.get(region).adminPort(),
                  ToxiproxyServer.listenPort(operatorLinks.get(region)),
                  backends.port(region)));
    }
    yaml.append(
        """
          placement:
            buckets: %d
          failover:
            mode: Manual
            leaseDuration: 20s
            probeInterval: 1s
            failureThreshold: 3
            minActiveRegions: 1
        """
            .formatted(BUCKETS));
    return yaml.toString();
  }
}
