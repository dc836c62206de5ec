package dev.homeport.operator.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.homeport.contract.KeyHash;
import dev.homeport.contract.RedisKeys;
import dev.homeport.crds.v1alpha1.HomeAssignment;
import dev.homeport.crds.v1alpha1.RegionTopology;
import dev.homeport.crds.v1alpha1.status.HomeAssignmentPhase;
import dev.homeport.crds.v1alpha1.status.RegionPhase;
import dev.homeport.crds.v1alpha1.status.RegionStatus;
import dev.homeport.operator.HomeportOperator;
import dev.homeport.testkit.KubeApiServerExtension;
import dev.homeport.testkit.TestKubeApiServer;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A region whose Redis loses the directory of moved keys and buckets, against a real
 * kube-apiserver, real redis-servers and stand-in front-doors. mumbai, frankfurt and singapore over
 * 64 buckets (Weighted: singapore homes 36-63); two of singapore's keys and buckets 40-43 are moved
 * to frankfurt by HomeAssignments, then singapore's Redis comes back empty. A HomeAssignment held
 * in Draining (by the replication probe) keeps the copy waiting, so that the test sees the region
 * without its lease before the directory is back. A watcher checks every 10 ms that singapore's
 * Redis never holds a lease while it lacks a moved entry.
 */
@ExtendWith(KubeApiServerExtension.class)
class RegionDirectoryRestoreIT {

  private static final String NAME = "global";
  private static final String NAMESPACE = "default";
  private static final Duration WAIT = Duration.ofSeconds(40);
  private static final List<String> REGIONS = List.of("mumbai", "frankfurt", "singapore");

  private static KubernetesClient client;
  private HomeportOperator operator;
  private final Map<String, StandInRegion> regions = new LinkedHashMap<>();
  private ScheduledExecutorService watcher;
  private final List<String> violations = new CopyOnWriteArrayList<>();
  private volatile boolean watching;

  /** singapore's keys (buckets 36-63) moved to frankfurt. */
  private final List<String> movedKeys = keysIn(36, 63, 3).subList(0, 2);

  /** Another singapore key, whose move to mumbai is held in Draining. */
  private final String heldKey = keysIn(36, 63, 3).get(2);

  private static final List<Integer> MOVED_BUCKETS = List.of(40, 41, 42, 43);

  @BeforeAll
  static void installCrds(TestKubeApiServer server) {
    client = server.client();
    server.installCrds();
  }

  @BeforeEach
  void start() throws Exception {
    StandInRegion.BROKEN.clear();
    for (String region : REGIONS) {
      StandInRegion standIn = new StandInRegion(region);
      standIn.position.set(1000);
      for (String other : REGIONS) {
        if (!other.equals(region)) {
          standIn.applied.put(other, new AtomicLong(1000));
        }
      }
      regions.put(region, standIn);
    }
    operator = new HomeportOperator(client, null, null);
    operator.start();
    watcher = Executors.newSingleThreadScheduledExecutor();
    watcher.scheduleWithFixedDelay(this::watch, 0, 10, TimeUnit.MILLISECONDS);
  }

  @AfterEach
  void stop() {
    watcher.shutdownNow();
    // A move still held (a failed test) settles before the topology it needs goes.
    regions.values().forEach(region -> region.applied.values().forEach(a -> a.set(1000)));
    client.resources(HomeAssignment.class).inNamespace(NAMESPACE).delete();
    await()
        .atMost(WAIT)
        .until(
            () ->
                client
                    .resources(HomeAssignment.class)
                    .inNamespace(NAMESPACE)
                    .list()
                    .getItems()
                    .isEmpty());
    client.resources(RegionTopology.class).withName(NAME).delete();
    await()
        .atMost(WAIT)
        .until(() -> client.resources(RegionTopology.class).withName(NAME).get() == null);
    client.v1().events().inNamespace(NAMESPACE).withField("involvedObject.name", NAME).delete();
    if (operator != null) {
      operator.close();
    }
    regions.values().forEach(StandInRegion::close);
  }

  @Test
  void aRegionWhoseRedisCameBackEmptyGetsNoLeaseUntilItsDirectoryIsCopiedBack() {
    moveAwayFromSingapore();
    holdAMove();
    StandInRegion singapore = regions.get("singapore");
    singapore.kill();
    await()
        .atMost(WAIT)
        .until(() -> phase("singapore").filter(p -> p == RegionPhase.FailedOver).isPresent());

    singapore.revive();
    watching = true;
    // Healthy again, but it does not fail back (stableFor is 1s) nor hold a lease while the
    // directory cannot be copied: a move is under way.
    await()
        .during(Duration.ofSeconds(4))
        .atMost(Duration.ofSeconds(6))
        .until(
            () ->
                phase("singapore").orElseThrow() == RegionPhase.FailedOver
                    && singapore.connection.sync().get(RedisKeys.lease("singapore")) == null);
    Event lost = awaitEvent("DirectoryLost");
    assertThat(lost.getType()).isEqualTo("Warning");
    assertThat(lost.getMessage())
        .contains("the Redis of region singapore answers without the directory")
        .contains("copied back from");
    assertThat(message("singapore"))
        .contains("lease is withheld")
        .contains("waiting for HomeAssignment default/hold");
    assertThat(singapore.connection.sync().get(RedisKeys.directory(movedKeys.get(0)))).isNull();

    releaseTheMove();
    awaitRestored(singapore);
    Event restored = awaitEvent("DirectoryRestored");
    assertThat(restored.getMessage())
        .contains("the Redis of region singapore holds the directory of moved keys and buckets")
        .contains("2 directory and 4 bucket entries were copied into it");
    assertThat(violations).isEmpty();
  }

  @Test
  void anActiveRegionWhoseRedisIsFlushedStopsHoldingItsLeaseUntilItsDirectoryIsCopiedBack() {
    moveAwayFromSingapore();
    holdAMove();
    StandInRegion singapore = regions.get("singapore");

    // Emptied between two probes: every probe of its front-door and Redis still succeeds.
    singapore.connection.sync().flushall();
    watching = true;
    // No renewal goes out: the lease its front-door holds runs out, and it fails over.
    await()
        .during(Duration.ofSeconds(3))
        .atMost(Duration.ofSeconds(5))
        .until(() -> singapore.connection.sync().get(RedisKeys.lease("singapore")) == null);
    Event lost = awaitEvent("DirectoryLost");
    assertThat(lost.getMessage()).contains("the Redis of region singapore answers without");
    await()
        .atMost(WAIT)
        .until(() -> phase("singapore").filter(p -> p == RegionPhase.FailedOver).isPresent());
    assertThat(singapore.table()).as("the table is written into it again").isNotNull();

    releaseTheMove();
    awaitRestored(singapore);
    assertThat(awaitEvent("DirectoryRestored").getMessage())
        .contains("2 directory and 4 bucket entries were copied into it");
    assertThat(violations).isEmpty();
  }

  // ---- steps ----------------------------------------------------------------------------------

  private void moveAwayFromSingapore() {
    apply();
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              for (String region : REGIONS) {
                assertThat(phase(region)).as(region).contains(RegionPhase.Active);
                assertThat(regions.get(region).connection.sync().get(RedisKeys.lease(region)))
                    .as("lease of " + region)
                    .isNotNull();
              }
            });
    createAssignment("keys", "keys: [" + String.join(", ", movedKeys) + "]", "frankfurt");
    awaitPhase("keys", HomeAssignmentPhase.Completed);
    createAssignment("buckets", "buckets: [\"40-43\"]", "frankfurt");
    awaitPhase("buckets", HomeAssignmentPhase.Completed);
    for (StandInRegion region : regions.values()) {
      for (String key : movedKeys) {
        assertThat(region.connection.sync().get(RedisKeys.directory(key)))
            .contains("\"home\":\"frankfurt\"");
      }
    }
  }

  /** A move of a singapore key to mumbai, held in Draining until {@link #releaseTheMove}. */
  private void holdAMove() {
    regions.get("mumbai").applied.get("singapore").set(990);
    createAssignment("hold", "keys: [" + heldKey + "]", "mumbai");
    awaitPhase("hold", HomeAssignmentPhase.Draining);
  }

  private void releaseTheMove() {
    regions.get("mumbai").applied.get("singapore").set(1000);
    awaitPhase("hold", HomeAssignmentPhase.Completed);
  }

  /** singapore is Active, holds its lease, and its Redis the same entries as the others'. */
  private void awaitRestored(StandInRegion singapore) {
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              assertThat(phase("singapore")).contains(RegionPhase.Active);
              assertThat(singapore.connection.sync().get(RedisKeys.lease("singapore"))).isNotNull();
            });
    List<String> keys = new ArrayList<>(movedKeys);
    keys.add(heldKey);
    for (String other : List.of("mumbai", "frankfurt")) {
      var there = regions.get(other).connection.sync();
      for (String key : keys) {
        assertThat(singapore.connection.sync().get(RedisKeys.directory(key)))
            .as(key + " as in " + other)
            .isNotNull()
            .isEqualTo(there.get(RedisKeys.directory(key)));
      }
      assertThat(singapore.connection.sync().hgetall(RedisKeys.BUCKETS))
          .as("bucket entries as in " + other)
          .isEqualTo(there.hgetall(RedisKeys.BUCKETS))
          .containsKeys(MOVED_BUCKETS.stream().map(String::valueOf).toArray(String[]::new));
    }
    assertThat(message("singapore")).doesNotContain("lease is withheld");
  }

  /** Records any moment singapore's Redis holds a lease but not every moved entry. */
  private void watch() {
    if (!watching) {
      return;
    }
    try {
      var redis = regions.get("singapore").connection.sync();
      if (redis.get(RedisKeys.lease("singapore")) == null) {
        return;
      }
      for (String key : movedKeys) {
        if (redis.get(RedisKeys.directory(key)) == null) {
          violations.add("lease held without the entry of " + key);
        }
      }
      for (int bucket : MOVED_BUCKETS) {
        if (redis.hget(RedisKeys.BUCKETS, String.valueOf(bucket)) == null) {
          violations.add("lease held without the entry of bucket " + bucket);
        }
      }
    } catch (RuntimeException e) {
      // Redis is down or restarting.
    }
  }

  // ---- helpers --------------------------------------------------------------------------------

  private void apply() {
    StringBuilder yaml = StandInRegion.topologyYaml(NAME, regions, 150);
    yaml.append(
        """
          placement:
            buckets: 64
            rule: Weighted
          failover:
            mode: Automatic
            leaseDuration: 2s
            probeInterval: 500ms
            failureThreshold: 3
            skewMargin: 1s
            minActiveRegions: 1
            maxConcurrentFailovers: 1
            failback:
              mode: Automatic
              stableFor: 1s
        """);
    client.resource(yaml.toString()).serverSideApply();
  }

  private void createAssignment(String name, String subject, String to) {
    client
        .resource(
            """
            apiVersion: homeport.dev/v1alpha1
            kind: HomeAssignment
            metadata:
              name: %s
              namespace: %s
            spec:
              subject:
                %s
              toRegion: %s
              reason: directory restore test
              maxWriteUnavailability: 120s
            """
                .formatted(name, NAMESPACE, subject, to))
        .create();
  }

  private void awaitPhase(String name, HomeAssignmentPhase phase) {
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              HomeAssignment assignment =
                  client
                      .resources(HomeAssignment.class)
                      .inNamespace(NAMESPACE)
                      .withName(name)
                      .get();
              assertThat(assignment.getStatus()).isNotNull();
              assertThat(assignment.getStatus().getPhase())
                  .as(assignment.getStatus().getMessage())
                  .isEqualTo(phase);
            });
  }

  private static List<String> keysIn(int from, int to, int count) {
    return IntStream.range(0, 100_000)
        .mapToObj(i -> "tenant-" + i)
        .filter(
            key -> {
              int bucket = KeyHash.bucket(key, 64);
              return bucket >= from && bucket <= to && !List.of(40, 41, 42, 43).contains(bucket);
            })
        .limit(count)
        .toList();
  }

  private static Optional<RegionStatus> regionStatus(String name) {
    RegionTopology topology = client.resources(RegionTopology.class).withName(NAME).get();
    if (topology == null
        || topology.getStatus() == null
        || topology.getStatus().getRegions() == null) {
      return Optional.empty();
    }
    return topology.getStatus().getRegions().stream()
        .filter(r -> r.getName().equals(name))
        .findFirst();
  }

  private static Optional<RegionPhase> phase(String name) {
    return regionStatus(name).map(RegionStatus::getPhase);
  }

  private static String message(String name) {
    return regionStatus(name).map(RegionStatus::getMessage).orElse("");
  }

  private static Event awaitEvent(String reason) {
    return await()
        .atMost(WAIT)
        .until(
            () ->
                client.v1().events().inNamespace(NAMESPACE).list().getItems().stream()
                    .filter(e -> NAME.equals(e.getInvolvedObject().getName()))
                    .filter(e -> reason.equals(e.getReason()))
                    .findFirst(),
            Optional::isPresent)
        .orElseThrow();
  }
}
