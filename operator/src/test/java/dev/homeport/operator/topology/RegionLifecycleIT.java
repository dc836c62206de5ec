package dev.homeport.operator.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.homeport.contract.BucketAssignment;
import dev.homeport.contract.ContractJson;
import dev.homeport.contract.DirectoryEntry;
import dev.homeport.contract.Lease;
import dev.homeport.contract.RedisKeys;
import dev.homeport.contract.RoutingTable;
import dev.homeport.crds.v1alpha1.HomeAssignment;
import dev.homeport.crds.v1alpha1.RegionTopology;
import dev.homeport.crds.v1alpha1.status.BucketLayout;
import dev.homeport.crds.v1alpha1.status.HomeAssignmentPhase;
import dev.homeport.crds.v1alpha1.status.RegionPhase;
import dev.homeport.crds.v1alpha1.status.RegionStatus;
import dev.homeport.operator.HomeportOperator;
import dev.homeport.testkit.KubeApiServerExtension;
import dev.homeport.testkit.TestKubeApiServer;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Adding and removing regions against a real kube-apiserver, real redis-servers and stand-in
 * front-doors; HomeAssignments move keys and buckets through the operator as in production. The
 * topology starts with mumbai, frankfurt and singapore over 64 buckets, Weighted placement;
 * saopaulo stands by to be added.
 */
@ExtendWith(KubeApiServerExtension.class)
class RegionLifecycleIT {

  private static final String NAME = "global";
  private static final String NAMESPACE = "default";
  private static final Duration WAIT = Duration.ofSeconds(30);

  private static KubernetesClient client;
  private HomeportOperator operator;
  private final Map<String, StandInRegion> regions = new LinkedHashMap<>();

  /** A region as listed in spec.regions. */
  private record Listed(String name, String residency, String accepts, String peers, int weight) {}

  private static final Listed MUMBAI = new Listed("mumbai", "in", "[sg]", "[singapore]", 100);
  private static final Listed FRANKFURT = new Listed("frankfurt", "eu", "[sg]", "[singapore]", 100);
  private static final Listed SINGAPORE =
      new Listed("singapore", "sg", "[in, eu]", "[mumbai, frankfurt]", 150);
  private static final Listed SAOPAULO = new Listed("saopaulo", "br", "[in, eu, sg]", "[]", 100);

  @BeforeAll
  static void installCrds(TestKubeApiServer server) {
    client = server.client();
    server.installCrds();
  }

  @BeforeEach
  void start() throws Exception {
    StandInRegion.BROKEN.clear();
    for (String region : List.of("mumbai", "frankfurt", "singapore", "saopaulo")) {
      regions.put(region, new StandInRegion(region));
    }
    operator = new HomeportOperator(client, null, null);
    operator.start();
  }

  @AfterEach
  void stop() {
    client.resources(HomeAssignment.class).inNamespace(NAMESPACE).delete();
    client.resources(RegionTopology.class).withName(NAME).delete();
    await()
        .atMost(WAIT)
        .until(
            () ->
                client.resources(RegionTopology.class).withName(NAME).get() == null
                    && client
                        .resources(HomeAssignment.class)
                        .inNamespace(NAMESPACE)
                        .list()
                        .getItems()
                        .isEmpty());
    client.v1().events().inNamespace(NAMESPACE).withField("involvedObject.name", NAME).delete();
    if (operator != null) {
      operator.close();
    }
    regions.values().forEach(StandInRegion::close);
  }

  @Test
  void addingARegionMovesNoKeyAndItHomesOnlyWhatHomeAssignmentsMoveToIt() {
    apply(MUMBAI, FRANKFURT, SINGAPORE);
    awaitActive("mumbai", "frankfurt", "singapore");
    RoutingTable before = regions.get("mumbai").table();
    BucketLayout layout = get().getStatus().getBucketLayout();
    assertThat(layout.getSource().name()).isEqualTo("Placement");
    assertThat(toMap(before.bucketMap()))
        .isEqualTo(Map.of("mumbai", "0-17", "frankfurt", "18-35", "singapore", "36-63"));
    // Moves made before saopaulo existed, as the operator writes them into every region.
    DirectoryEntry tenant = DirectoryEntry.settled("singapore", before.epoch());
    DirectoryEntry bucket = DirectoryEntry.settled("frankfurt", before.epoch());
    for (String region : List.of("mumbai", "frankfurt", "singapore")) {
      regions
          .get(region)
          .connection
          .sync()
          .set(RedisKeys.directory("tenant-1"), ContractJson.write(tenant));
      regions
          .get(region)
          .connection
          .sync()
          .hset(RedisKeys.BUCKETS, "5", ContractJson.write(bucket));
    }

    // saopaulo appended, the others reordered and reweighted: Weighted placement laid out again
    // would move whole ranges.
    apply(
        new Listed("singapore", "sg", "[in, eu]", "[mumbai, frankfurt]", 900),
        MUMBAI,
        new Listed("frankfurt", "eu", "[sg]", "[singapore]", 10),
        SAOPAULO);

    awaitActive("saopaulo");
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              assertThat(homedBuckets("saopaulo")).contains(0);
              assertThat(homedBuckets("mumbai")).contains(17);
              assertThat(homedBuckets("frankfurt")).contains(19);
              assertThat(homedBuckets("singapore")).contains(28);
            });
    for (String region : List.of("mumbai", "frankfurt", "singapore", "saopaulo")) {
      await()
          .atMost(WAIT)
          .untilAsserted(
              () -> {
                RoutingTable table = regions.get(region).table();
                assertThat(table.regions()).containsKey("saopaulo");
                assertThat(table.epoch()).isGreaterThan(before.epoch());
                assertThat(table.bucketMap()).as(region).isEqualTo(before.bucketMap());
              });
    }
    RegionTopology topology = get();
    assertThat(topology.getStatus().getBucketLayout()).isEqualTo(layout);
    assertThat(condition(topology, "RegionsValid").getStatus()).isEqualTo("True");
    assertThat(topology.getStatus().getAcceptedRegions())
        .extracting(r -> r.getName())
        .containsExactly("singapore", "mumbai", "frankfurt", "saopaulo");
    // Leased, and its Redis holds the moves made before it joined.
    StandInRegion saopaulo = regions.get("saopaulo");
    await()
        .atMost(WAIT)
        .until(() -> saopaulo.connection.sync().get(RedisKeys.lease("saopaulo")) != null);
    assertThat(
            ContractJson.read(
                saopaulo.connection.sync().get(RedisKeys.directory("tenant-1")),
                DirectoryEntry.class))
        .isEqualTo(tenant);
    assertThat(
            ContractJson.read(
                saopaulo.connection.sync().hget(RedisKeys.BUCKETS, "5"), DirectoryEntry.class))
        .isEqualTo(bucket);
    Event added = awaitEvent("RegionAdded");
    assertThat(added.getType()).isEqualTo("Normal");
    assertThat(added.getMessage())
        .contains("region saopaulo joined the topology homing no bucket")
        .contains("1 directory and 1 bucket entries");

    // A region that homes nothing takes keys and buckets by HomeAssignment.
    createAssignment("keys-to-saopaulo", "keys: [tenant-7]", "saopaulo");
    awaitCompleted("keys-to-saopaulo");
    createAssignment("buckets-to-saopaulo", "buckets: [\"0-3\"]", "saopaulo");
    awaitCompleted("buckets-to-saopaulo");
    for (StandInRegion region : regions.values()) {
      assertThat(region.connection.sync().get(RedisKeys.directory("tenant-7")))
          .as(region.name)
          .contains("\"home\":\"saopaulo\"");
      assertThat(region.connection.sync().hget(RedisKeys.BUCKETS, "2"))
          .as(region.name)
          .contains("\"home\":\"saopaulo\"");
    }
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              assertThat(homedBuckets("saopaulo")).contains(4);
              assertThat(homedBuckets("mumbai")).contains(13);
            });
    assertThat(regions.get("mumbai").table().bucketMap()).isEqualTo(before.bucketMap());
    // Settled: the status is not written again while nothing but heartbeats changes.
    String version = get().getMetadata().getResourceVersion();
    await()
        .during(Duration.ofSeconds(3))
        .atMost(Duration.ofSeconds(5))
        .until(() -> get().getMetadata().getResourceVersion().equals(version));
  }

  @Test
  void aRegionStillHomingBucketsIsNotRemovedUntilAHomeAssignmentMovesThemAway() {
    apply(MUMBAI, FRANKFURT, SINGAPORE);
    awaitActive("mumbai", "frankfurt", "singapore");
    RoutingTable before = regions.get("singapore").table();

    apply(MUMBAI, new Listed("singapore", "sg", "[in, eu]", "[mumbai]", 150));

    Condition refused =
        await()
            .atMost(WAIT)
            .until(
                () -> condition(get(), "RegionsValid"),
                c -> "RegionStillHomesKeys".equals(c.getReason()));
    assertThat(refused.getStatus()).isEqualTo("False");
    assertThat(refused.getMessage())
        .isEqualTo(
            "region frankfurt was removed from spec.regions but still homes buckets 18-35 (18"
                + " buckets), so it stays in the routing table, leased and probed, with its last"
                + " spec. Move them first: kubectl homeport rehome --buckets 18-35 --to"
                + " singapore. The operator completes the removal once the region homes nothing;"
                + " to keep the region, put it back in spec.regions.");
    Event warning = awaitEvent("RegionStillHomesKeys");
    assertThat(warning.getType()).isEqualTo("Warning");
    assertThat(warning.getMessage()).isEqualTo(refused.getMessage());
    RegionStatus frankfurt = regionStatus("frankfurt").orElseThrow();
    assertThat(frankfurt.getPhase()).isEqualTo(RegionPhase.Active);
    assertThat(frankfurt.getRemovalPending()).isTrue();
    // Nothing moved: every region routes as before, frankfurt included, and it stays leased.
    for (String region : List.of("mumbai", "frankfurt", "singapore")) {
      RoutingTable table = regions.get(region).table();
      assertThat(table.regions()).containsKey("frankfurt");
      assertThat(table.bucketMap()).isEqualTo(before.bucketMap());
    }
    long renewal = leaseRenewal("frankfurt");
    await().atMost(WAIT).until(() -> leaseRenewal("frankfurt") > renewal);
    // No new home in a region on its way out.
    createAssignment("keys-to-frankfurt", "keys: [tenant-3]", "frankfurt");
    HomeAssignment refusedMove =
        await()
            .atMost(WAIT)
            .until(
                () -> assignment("keys-to-frankfurt"),
                a ->
                    a.getStatus() != null
                        && a.getStatus().getPhase() == HomeAssignmentPhase.Failed);
    assertThat(refusedMove.getStatus().getMessage())
        .startsWith("spec.toRegion: region frankfurt is being removed from RegionTopology global");

    // A restarted operator remembers frankfurt's spec and keeps routing it.
    operator.close();
    operator = new HomeportOperator(client, null, null);
    operator.start();
    long afterRestart = leaseRenewal("frankfurt");
    await().atMost(WAIT).until(() -> leaseRenewal("frankfurt") > afterRestart);
    await()
        .atMost(WAIT)
        .until(() -> condition(get(), "RegionsValid").getReason().equals("RegionStillHomesKeys"));

    createAssignment("frankfurt-out", "buckets: [\"18-35\"]", "singapore");
    awaitCompleted("frankfurt-out");
    // The move fenced and switched in frankfurt's Redis too: its front-door stopped taking them.
    for (String region : List.of("mumbai", "frankfurt", "singapore")) {
      assertThat(regions.get(region).connection.sync().hget(RedisKeys.BUCKETS, "20"))
          .as(region)
          .contains("\"home\":\"singapore\"");
    }

    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              RegionTopology topology = get();
              assertThat(regionStatus("frankfurt")).isEmpty();
              assertThat(condition(topology, "RegionsValid").getStatus()).isEqualTo("True");
              assertThat(topology.getStatus().getAcceptedRegions())
                  .extracting(r -> r.getName())
                  .containsExactly("mumbai", "singapore");
            });
    for (String region : List.of("mumbai", "singapore")) {
      await()
          .atMost(WAIT)
          .untilAsserted(
              () -> {
                RoutingTable table = regions.get(region).table();
                assertThat(table.regions()).doesNotContainKey("frankfurt");
                assertThat(toMap(table.bucketMap()))
                    .isEqualTo(Map.of("mumbai", "0-17", "singapore", "18-63"));
              });
    }
    BucketLayout layout = get().getStatus().getBucketLayout();
    assertThat(layout.getLastChange())
        .contains("region frankfurt left and its buckets 18-35 were re-pointed");
    assertThat(awaitEvent("RegionRemoved").getMessage())
        .startsWith("region frankfurt left the topology: it homed nothing")
        .contains("(18-35 to singapore)");
    await().atMost(WAIT).until(() -> homedBuckets("singapore").equals(Optional.of(46)));
    // No longer leased: its lease is not renewed again.
    long last = leaseRenewal("frankfurt");
    await()
        .during(Duration.ofSeconds(3))
        .atMost(Duration.ofSeconds(5))
        .until(() -> leaseRenewal("frankfurt") == last);
  }

  @Test
  void aTopologyWhoseStatusWasLostAdoptsTheBucketMapItsRegionsAlreadyRoute() {
    apply(MUMBAI, FRANKFURT, SINGAPORE);
    awaitActive("mumbai", "frankfurt", "singapore");
    RoutingTable before = regions.get("frankfurt").table();

    // The object is gone and comes back (restored from a backup without status) reordered: laid
    // out again from the placement, mumbai and singapore would swap ranges.
    client.resources(RegionTopology.class).withName(NAME).delete();
    await()
        .atMost(WAIT)
        .until(() -> client.resources(RegionTopology.class).withName(NAME).get() == null);
    apply(SINGAPORE, FRANKFURT, MUMBAI);

    await()
        .atMost(WAIT)
        .until(() -> get().getStatus() != null && get().getStatus().getBucketLayout() != null);
    BucketLayout adopted = get().getStatus().getBucketLayout();
    assertThat(adopted.getSource().name()).isEqualTo("RoutingTable");
    assertThat(adopted.getFixedAtEpoch()).isEqualTo(before.epoch());
    assertThat(awaitEvent("BucketLayoutAdopted").getMessage())
        .contains("adopted the bucket map of routing table epoch " + before.epoch());
    awaitActive("mumbai", "frankfurt", "singapore");

    // The next table the operator publishes (saopaulo joins) carries the adopted map.
    apply(SINGAPORE, FRANKFURT, MUMBAI, SAOPAULO);
    awaitActive("saopaulo");
    for (String region : List.of("mumbai", "saopaulo")) {
      await()
          .atMost(WAIT)
          .untilAsserted(
              () -> {
                RoutingTable table = regions.get(region).table();
                assertThat(table.epoch()).isGreaterThan(before.epoch());
                assertThat(table.regions()).containsKey("saopaulo");
                assertThat(table.bucketMap()).isEqualTo(before.bucketMap());
              });
    }
  }

  // ---- helpers --------------------------------------------------------------------------------

  private void apply(Listed... listed) {
    StringBuilder yaml =
        new StringBuilder(
            """
            apiVersion: homeport.dev/v1alpha1
            kind: RegionTopology
            metadata:
              name: %s
            spec:
              regions:
            """
                .formatted(NAME));
    for (Listed region : listed) {
      StandInRegion standIn = regions.get(region.name());
      yaml.append(
          """
              - name: %s
                residency: %s
                acceptsResidency: %s
                frontDoor:
                  url: %s
                  adminUrl: %s
                redis:
                  url: %s
                failoverPeers: %s
                capacityWeight: %d
          """
              .formatted(
                  region.name(),
                  region.residency(),
                  region.accepts(),
                  standIn.url(),
                  standIn.adminUrl(),
                  standIn.redis.uri(),
                  region.peers(),
                  region.weight()));
    }
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
              reason: region lifecycle test
              maxWriteUnavailability: 5s
            """
                .formatted(name, NAMESPACE, subject, to))
        .create();
  }

  private HomeAssignment assignment(String name) {
    return client.resources(HomeAssignment.class).inNamespace(NAMESPACE).withName(name).get();
  }

  private void awaitCompleted(String name) {
    HomeAssignment done =
        await()
            .atMost(WAIT)
            .until(
                () -> assignment(name),
                a ->
                    a.getStatus() != null
                        && a.getStatus().getPhase() != null
                        && a.getStatus().getPhase().finished());
    assertThat(done.getStatus().getPhase())
        .as(done.getStatus().getMessage())
        .isEqualTo(HomeAssignmentPhase.Completed);
  }

  private static RegionTopology get() {
    return client.resources(RegionTopology.class).withName(NAME).get();
  }

  private void awaitActive(String... names) {
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              for (String name : names) {
                assertThat(regionStatus(name).map(RegionStatus::getPhase))
                    .as(name)
                    .contains(RegionPhase.Active);
                RoutingTable table = regions.get(name).table();
                assertThat(table).as("table in " + name).isNotNull();
                assertThat(table.regions()).containsKey(name);
              }
            });
  }

  private static Optional<RegionStatus> regionStatus(String name) {
    RegionTopology topology = get();
    if (topology == null || topology.getStatus() == null) {
      return Optional.empty();
    }
    return topology.getStatus().getRegions().stream()
        .filter(r -> r.getName().equals(name))
        .findFirst();
  }

  private static Optional<Integer> homedBuckets(String name) {
    return regionStatus(name).map(RegionStatus::getHomedBuckets);
  }

  private long leaseRenewal(String region) {
    String json = regions.get(region).connection.sync().get(RedisKeys.lease(region));
    return json == null ? -1 : ContractJson.read(json, Lease.class).renewal();
  }

  private static Map<String, String> toMap(List<BucketAssignment> bucketMap) {
    Map<String, String> ranges = new LinkedHashMap<>();
    List<String> seen = new ArrayList<>();
    for (BucketAssignment range : bucketMap) {
      assertThat(seen).as("one range per region").doesNotContain(range.region());
      seen.add(range.region());
      ranges.put(range.region(), range.from() + "-" + range.to());
    }
    return ranges;
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

  private static Condition condition(RegionTopology topology, String type) {
    return topology.getStatus().getConditions().stream()
        .filter(c -> c.getType().equals(type))
        .findFirst()
        .orElseThrow();
  }
}
