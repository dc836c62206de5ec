package dev.homeport.operator.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.homeport.contract.RedisKeys;
import dev.homeport.contract.RoutingTable;
import dev.homeport.crds.v1alpha1.RegionTopology;
import dev.homeport.crds.v1alpha1.status.RegionPhase;
import dev.homeport.crds.v1alpha1.status.RegionStatus;
import dev.homeport.operator.HomeportOperator;
import dev.homeport.testkit.KubeApiServerExtension;
import dev.homeport.testkit.TestKubeApiServer;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Failbacks that wait for the returning region's application to catch up with the writes its peer
 * took for it, against a real kube-apiserver, three real redis-servers and three stand-in regions
 * whose replication probes the test moves. leaseDuration 2s, probeInterval 500ms, failureThreshold
 * 3, skewMargin 1s, failback Automatic after stableFor 1s.
 */
@ExtendWith(KubeApiServerExtension.class)
class RegionTopologyFailbackIT {

  private static final List<String> REGIONS = List.of("mumbai", "frankfurt", "singapore");
  private static final Duration WAIT = Duration.ofSeconds(30);

  private static KubernetesClient client;
  private HomeportOperator operator;
  private final Map<String, StandInRegion> regions = new LinkedHashMap<>();
  private String topologyName;

  @BeforeAll
  static void installCrds(TestKubeApiServer server) {
    client = server.client();
    server.installCrds();
  }

  @BeforeEach
  void start() throws Exception {
    StandInRegion.BROKEN.clear();
    regions.putAll(StandInRegion.inSync(REGIONS));
    operator = new HomeportOperator(client, null, null);
    operator.start();
  }

  @AfterEach
  void stop() {
    if (topologyName != null) {
      client.resources(RegionTopology.class).withName(topologyName).delete();
      await()
          .atMost(WAIT)
          .until(() -> client.resources(RegionTopology.class).withName(topologyName).get() == null);
      client
          .v1()
          .events()
          .inNamespace("default")
          .withField("involvedObject.name", topologyName)
          .delete();
    }
    if (operator != null) {
      operator.close();
    }
    regions.values().forEach(StandInRegion::close);
  }

  @Test
  void aReturningRegionFailsBackOnlyOnceItsApplicationHasAppliedItsPeersWrites() {
    apply("failback-catchup", "1m");
    awaitAllActive();

    StandInRegion mumbai = regions.get("mumbai");
    StandInRegion singapore = regions.get("singapore");
    mumbai.kill();
    await().atMost(WAIT).until(() -> phase("mumbai") == RegionPhase.FailedOver);
    assertThat(status("mumbai").getServedBy()).isEqualTo("singapore");

    // singapore took writes for mumbai's keys while it served them; mumbai has applied none yet.
    singapore.position.set(1500);
    mumbai.revive();

    await()
        .atMost(WAIT)
        .until(
            () ->
                String.valueOf(status("mumbai").getMessage())
                    .contains(
                        "mumbai has applied singapore's writes up to 1000 of 1500 (lag 500)"));
    RegionStatus waiting = status("mumbai");
    assertThat(waiting.getPhase()).isEqualTo(RegionPhase.FailedOver);
    assertThat(waiting.getMessage())
        .contains(
            "failing back from singapore waits until mumbai's application has applied the writes"
                + " singapore took for it",
            "singapore keeps serving its keys meanwhile");
    Condition refused = condition(get(), "FailoverRefused");
    assertThat(refused.getStatus()).isEqualTo("True");
    assertThat(refused.getReason()).isEqualTo("AwaitingFailbackCatchUp");
    assertThat(refused.getMessage()).contains("lag 500");

    // While it waits, nothing moves: singapore serves mumbai's keys in every region's table.
    await()
        .during(Duration.ofSeconds(3))
        .atMost(Duration.ofSeconds(5))
        .until(
            () ->
                phase("mumbai") == RegionPhase.FailedOver
                    && REGIONS.stream().allMatch(r -> "singapore".equals(servedBy(r)))
                    && mumbai.connection.sync().get(RedisKeys.lease("mumbai")) == null);
    List<Event> waits = events("AwaitingFailbackCatchUp");
    assertThat(waits).as("one Event for the whole wait").hasSize(1);
    assertThat(waits.get(0).getType()).isEqualTo("Normal");
    assertThat(events("Failback")).isEmpty();

    // mumbai's application catches up: the failback goes ahead.
    mumbai.applied.get("singapore").set(1500);
    await().atMost(WAIT).until(() -> phase("mumbai") == RegionPhase.Active);
    assertThat(status("mumbai").getServedBy()).isNull();
    await()
        .atMost(WAIT)
        .until(() -> mumbai.connection.sync().get(RedisKeys.lease("mumbai")) != null);
    assertThat(events("Failback"))
        .singleElement()
        .satisfies(
            e ->
                assertThat(e.getMessage())
                    .contains(
                        "mumbai's application has caught up with singapore's writes: mumbai has"
                            + " applied singapore's writes up to 1500 of 1500"));
    assertThat(condition(get(), "FailoverRefused").getStatus()).isEqualTo("False");
  }

  @Test
  void pastCatchUpTimeoutTheKeysStayWithThePeerAndAWarningSaysHowToGoAhead() {
    apply("failback-timeout", "2s");
    awaitAllActive();

    StandInRegion mumbai = regions.get("mumbai");
    mumbai.kill();
    await().atMost(WAIT).until(() -> phase("mumbai") == RegionPhase.FailedOver);
    regions.get("singapore").position.set(1500);
    mumbai.revive();

    await().atMost(WAIT).until(() -> !events("FailbackCatchUpTimedOut").isEmpty());
    Event timedOut = events("FailbackCatchUpTimedOut").get(0);
    assertThat(timedOut.getType()).isEqualTo("Warning");
    assertThat(timedOut.getMessage())
        .contains(
            "does not fail back",
            "within 2s (spec.failover.failback.catchUpTimeout",
            "lag 500",
            "Its keys stay with singapore",
            "kubectl homeport failback mumbai --approve --skip-catch-up");
    await()
        .during(Duration.ofSeconds(2))
        .atMost(Duration.ofSeconds(4))
        .until(
            () ->
                phase("mumbai") == RegionPhase.FailedOver
                    && "singapore".equals(servedBy("frankfurt")));
    assertThat(condition(get(), "FailoverRefused").getReason())
        .isEqualTo("FailbackCatchUpTimedOut");
    assertThat(events("FailbackCatchUpTimedOut")).hasSize(1);

    // A person decides not to wait.
    client
        .resources(RegionTopology.class)
        .withName(topologyName)
        .edit(
            t -> {
              t.getMetadata()
                  .setAnnotations(Map.of(RegionTopologyReconciler.SKIP_CATCH_UP, "mumbai"));
              return t;
            });
    await().atMost(WAIT).until(() -> phase("mumbai") == RegionPhase.Active);
    assertThat(events("Failback"))
        .singleElement()
        .satisfies(
            e ->
                assertThat(e.getMessage())
                    .contains(
                        "the failback did not wait for replication catch-up: skipped by hand"
                            + " (annotation homeport.dev/failback-skip-catch-up lists mumbai)",
                        "lag 500"));
  }

  // ---- helpers --------------------------------------------------------------------------------

  private void apply(String name, String catchUpTimeout) {
    topologyName = name;
    StringBuilder yaml = StandInRegion.topologyYaml(name, regions, 150);
    yaml.append(
        """
          placement:
            buckets: 64
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
              catchUpTimeout: %s
        """
            .formatted(catchUpTimeout));
    client.resource(yaml.toString()).serverSideApply();
  }

  private RegionTopology get() {
    return client.resources(RegionTopology.class).withName(topologyName).get();
  }

  private RegionStatus status(String region) {
    RegionTopology topology = get();
    if (topology == null || topology.getStatus() == null) {
      return new RegionStatus();
    }
    return topology.getStatus().getRegions().stream()
        .filter(r -> region.equals(r.getName()))
        .findFirst()
        .orElseGet(RegionStatus::new);
  }

  private RegionPhase phase(String region) {
    return status(region).getPhase();
  }

  /** Who serves mumbai's keys by the routing table in {@code in}'s Redis; null for none. */
  private String servedBy(String in) {
    RoutingTable table = regions.get(in).table();
    return table == null ? null : table.regions().get("mumbai").servedBy();
  }

  private void awaitAllActive() {
    await()
        .atMost(WAIT)
        .until(
            () ->
                REGIONS.stream()
                    .allMatch(
                        r -> {
                          RoutingTable table = regions.get(r).table();
                          return table != null
                              && table.regions().values().stream()
                                  .allMatch(route -> route.phase() == RegionPhase.Active)
                              && regions.get(r).connection.sync().get(RedisKeys.lease(r)) != null;
                        }));
  }

  private List<Event> events(String reason) {
    return client.v1().events().inNamespace("default").list().getItems().stream()
        .filter(e -> topologyName.equals(e.getInvolvedObject().getName()))
        .filter(e -> reason.equals(e.getReason()))
        .toList();
  }

  private static Condition condition(RegionTopology topology, String type) {
    return topology.getStatus().getConditions().stream()
        .filter(c -> c.getType().equals(type))
        .findFirst()
        .orElseThrow();
  }
}
