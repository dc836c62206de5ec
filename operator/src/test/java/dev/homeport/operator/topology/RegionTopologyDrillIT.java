package dev.homeport.operator.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.homeport.contract.ContractJson;
import dev.homeport.contract.Durations;
import dev.homeport.contract.Lease;
import dev.homeport.contract.RedisKeys;
import dev.homeport.contract.RegionRoute;
import dev.homeport.contract.RoutingTable;
import dev.homeport.crds.v1alpha1.RegionTopology;
import dev.homeport.crds.v1alpha1.status.DrillPhase;
import dev.homeport.crds.v1alpha1.status.DrillRecord;
import dev.homeport.crds.v1alpha1.status.DrillResult;
import dev.homeport.crds.v1alpha1.status.RegionPhase;
import dev.homeport.operator.HomeportOperator;
import dev.homeport.operator.drill.Drills;
import dev.homeport.testkit.KubeApiServerExtension;
import dev.homeport.testkit.TestKubeApiServer;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Drills against a real kube-apiserver, three real redis-servers and three stand-in front-doors
 * that route synthetic requests by the routing table in their region's Redis, with replication
 * probes the test moves. leaseDuration 2s + skewMargin 1s: a flip may come 3 s after the drilled
 * region's last lease renewal, never earlier. Some tests also send users' requests ({@code GET
 * /checkout}) through every stand-in front-door, which times them in its {@code /metrics} as a
 * front-door does, and give the operator the front-doors' admin token to read them.
 */
@ExtendWith(KubeApiServerExtension.class)
class RegionTopologyDrillIT {

  private static final List<String> REGIONS = List.of("mumbai", "frankfurt", "singapore");
  private static final Duration FENCE_WAIT = Duration.ofSeconds(3);

  private static KubernetesClient client;
  private HomeportOperator operator;
  private final Map<String, StandInRegion> regions = new LinkedHashMap<>();
  private String topologyName;
  private ScheduledExecutorService watcher;

  /** When (nanoTime) mumbai's lease renewal counter was last seen to change in its Redis. */
  private final AtomicLong mumbaiRenewalSeen = new AtomicLong();

  /** When (nanoTime) frankfurt's table first showed mumbai served by singapore; 0 before. */
  private final AtomicLong flipSeen = new AtomicLong();

  /** mumbai's lease renewal seen last before the flip (nanoTime); 0 before the flip. */
  private final AtomicLong renewalBeforeFlip = new AtomicLong();

  /** Sends users' requests while a test wants them; null when none does. */
  private ScheduledExecutorService users;

  private final HttpClient usersClient =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
  private final AtomicLong usersSent = new AtomicLong();
  private final AtomicLong usersFailed = new AtomicLong();

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
    watcher = Executors.newSingleThreadScheduledExecutor();
    watcher.scheduleWithFixedDelay(this::watch, 0, 10, TimeUnit.MILLISECONDS);
  }

  @AfterEach
  void stop() {
    watcher.shutdownNow();
    if (users != null) {
      users.shutdownNow();
    }
    if (topologyName != null) {
      client.resources(RegionTopology.class).withName(topologyName).delete();
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> client.resources(RegionTopology.class).withName(topologyName).get() == null);
    }
    if (operator != null) {
      operator.close();
    }
    regions.values().forEach(StandInRegion::close);
    StandInRegion.BROKEN.clear();
    StandInRegion.BROKEN_FOR_FAILOVER.clear();
  }

  /** Restarts the operator with the front-doors' admin token, so that drills read their metrics. */
  private void withFrontDoorToken() {
    operator.close();
    operator = new HomeportOperator(client, null, null, StandInRegion.ADMIN_TOKEN);
    operator.start();
  }

  /** Users' requests on /checkout with random keys, 40 per second through each front-door. */
  private void startUsers() {
    users = Executors.newSingleThreadScheduledExecutor();
    users.scheduleAtFixedRate(
        () -> {
          for (StandInRegion region : regions.values()) {
            HttpRequest request =
                HttpRequest.newBuilder(URI.create(region.url() + "/checkout"))
                    .header("X-User-Id", "user-" + ThreadLocalRandom.current().nextInt(100_000))
                    .timeout(Duration.ofSeconds(2))
                    .build();
            usersSent.incrementAndGet();
            usersClient
                .sendAsync(request, HttpResponse.BodyHandlers.discarding())
                .whenComplete(
                    (response, error) -> {
                      if (error != null || response.statusCode() >= 500) {
                        usersFailed.incrementAndGet();
                      }
                    });
          }
        },
        0,
        25,
        TimeUnit.MILLISECONDS);
  }

  /** Notes when mumbai's lease is renewed and when the flip to singapore becomes visible. */
  private void watch() {
    try {
      String json = regions.get("mumbai").connection.sync().get(RedisKeys.lease("mumbai"));
      long now = System.nanoTime();
      if (json != null) {
        long renewal = ContractJson.read(json, Lease.class).renewal();
        if (renewal != lastRenewal) {
          lastRenewal = renewal;
          mumbaiRenewalSeen.set(now);
        }
      }
      RoutingTable table = regions.get("frankfurt").table();
      boolean flipped =
          table != null && "singapore".equals(table.regions().get("mumbai").servedBy());
      if (flipped && flipSeen.get() == 0) {
        renewalBeforeFlip.set(mumbaiRenewalSeen.get());
        flipSeen.set(now);
      }
    } catch (RuntimeException e) {
      // A killed Redis; the next look may succeed.
    }
  }

  private long lastRenewal = -1;

  /** A topology; the blocks are YAML under spec, indented by two spaces, or empty. */
  private void apply(String name, int singaporeCapacity, String drill, String drillPolicy) {
    topologyName = name;
    StringBuilder yaml = StandInRegion.topologyYaml(name, regions, singaporeCapacity);
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
              mode: Manual
              stableFor: 2s
        """);
    yaml.append(drillPolicy);
    yaml.append(drill);
    client.resource(yaml.toString()).serverSideApply();
  }

  private static String drill(String id, String region, String holdFor) {
    return """
          drill:
            id: %s
            region: %s
            holdFor: %s
        """
        .formatted(id, region, holdFor);
  }

  private static final String POLICY =
      """
        drillPolicy:
          abortIf:
            errorRate: "0.05"
            p99Latency: 2s
          synthetic:
            keys: 5
      """;

  private RegionTopology get() {
    return client.resources(RegionTopology.class).withName(topologyName).get();
  }

  /** As {@code kubectl patch --type merge}: no resourceVersion, so no conflict with status. */
  private void mergePatch(String json) {
    client
        .resources(RegionTopology.class)
        .withName(topologyName)
        .patch(PatchContext.of(PatchType.JSON_MERGE), json);
  }

  private void startDrill(String id, String region, String holdFor) {
    mergePatch(
        "{\"spec\":{\"drill\":{\"id\":\"%s\",\"region\":\"%s\",\"holdFor\":\"%s\"}}}"
            .formatted(id, region, holdFor));
  }

  private void annotate(String key, String value) {
    mergePatch("{\"metadata\":{\"annotations\":{\"%s\":\"%s\"}}}".formatted(key, value));
  }

  private Optional<DrillRecord> record(String id) {
    RegionTopology topology = get();
    if (topology == null
        || topology.getStatus() == null
        || topology.getStatus().getDrills() == null) {
      return Optional.empty();
    }
    return topology.getStatus().getDrills().stream().filter(r -> id.equals(r.getId())).findFirst();
  }

  private DrillRecord awaitRecord(String id, Duration atMost, Predicate<DrillRecord> condition) {
    await()
        .atMost(atMost)
        .pollInterval(Duration.ofMillis(50))
        .until(() -> record(id).filter(condition).isPresent());
    return record(id).orElseThrow();
  }

  private void awaitAllActive() {
    await()
        .atMost(Duration.ofSeconds(30))
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

  private RegionRoute mumbaiRoute(String in) {
    return regions.get(in).table().regions().get("mumbai");
  }

  private List<String> eventReasons() {
    return client.v1().events().inNamespace("default").list().getItems().stream()
        .filter(e -> topologyName.equals(e.getInvolvedObject().getName()))
        .map(Event::getReason)
        .toList();
  }

  private Optional<Event> event(String reason) {
    return client.v1().events().inNamespace("default").list().getItems().stream()
        .filter(e -> topologyName.equals(e.getInvolvedObject().getName()))
        .filter(e -> reason.equals(e.getReason()))
        .findFirst();
  }

  private static Condition condition(RegionTopology topology, String type) {
    return topology.getStatus().getConditions().stream()
        .filter(c -> c.getType().equals(type))
        .findFirst()
        .orElseThrow();
  }

  @Test
  void aDrillFailsOverAfterCatchUpHoldsFailsBackAndReportsItsRto() {
    apply("drill-happy", 150, "", POLICY);
    awaitAllActive();
    // singapore is 10 writes behind mumbai; it catches up 300 ms after the drill reaches the cut.
    regions.get("singapore").applied.get("mumbai").set(990);
    long started = System.nanoTime();
    startDrill("Q4-2026", "mumbai", "2s");

    awaitRecord("Q4-2026", Duration.ofSeconds(20), r -> r.getPhase() == DrillPhase.CatchingUp);
    assertThat(flipSeen.get()).as("no flip before the peer has caught up").isZero();
    assertThat(condition(get(), "DrillInProgress").getReason()).isEqualTo("CatchingUp");
    await()
        .during(Duration.ofMillis(300))
        .atMost(Duration.ofSeconds(1))
        .until(() -> flipSeen.get() == 0);
    regions.get("singapore").applied.get("mumbai").set(1000);

    DrillRecord holding =
        awaitRecord("Q4-2026", Duration.ofSeconds(20), r -> r.getPhase() == DrillPhase.Holding);
    assertThat(condition(get(), "DrillInProgress").getStatus()).isEqualTo("True");
    assertThat(mumbaiRoute("frankfurt").servedBy()).isEqualTo("singapore");
    assertThat(mumbaiRoute("mumbai").servedBy()).isEqualTo("singapore");
    assertThat(holding.getHoldUntil()).isNotNull();
    double flipAfterRenewal = (flipSeen.get() - renewalBeforeFlip.get()) / 1e9;
    assertThat(flipAfterRenewal)
        .as("the flip waits leaseDuration + skewMargin after mumbai's last renewal")
        .isGreaterThanOrEqualTo(FENCE_WAIT.toMillis() / 1000.0 - 0.05);

    DrillRecord done =
        awaitRecord("Q4-2026", Duration.ofSeconds(30), r -> r.getResult() != DrillResult.Running);
    double seconds = (System.nanoTime() - started) / 1e9;
    System.out.printf(
        "Drill Q4-2026 on mumbai: %s in %.1f s; RTO %s, RPO %s, replication lag %d writes at the"
            + " cut, %d synthetic requests, %d errors, p99 %s, epochs %s; flip %.2f s after"
            + " mumbai's last lease renewal%n",
        done.getResult(),
        seconds,
        done.getRto(),
        done.getRpo(),
        done.getReplicationLag(),
        done.getSyntheticRequests(),
        done.getErrors(),
        done.getP99Latency(),
        done.getEpochs(),
        flipAfterRenewal);
    assertThat(done.getResult()).as(done.getReason()).isEqualTo(DrillResult.Succeeded);
    assertThat(done.getPhase()).isEqualTo(DrillPhase.VerifyingBack);
    assertThat(done.getPeer()).isEqualTo("singapore");
    assertThat(done.getReplicationLag()).isEqualTo(10L);
    assertThat(Durations.parse(done.getRpo())).isGreaterThanOrEqualTo(Duration.ofMillis(300));
    Duration rto = Durations.parse(done.getRto());
    assertThat(rto).isGreaterThan(FENCE_WAIT).isLessThan(Duration.ofSeconds(8));
    assertThat(done.getErrors()).isZero();
    assertThat(done.getSyntheticRequests()).isGreaterThanOrEqualTo(30L);
    assertThat(done.getEpochs()).matches("\\d+(→\\d+){4}");
    assertThat(done.getFinishedAt()).isNotNull();
    assertThat(done.getNotes())
        .as("an operator without the front-doors' admin token says so, once")
        .containsOnlyOnce(Drills.NO_TOKEN_NOTE)
        .noneMatch(note -> note.startsWith("front-door metrics from the flip on"));

    RegionTopology after = get();
    assertThat(after.getStatus().getSummary())
        .isEqualTo("mumbai:Active frankfurt:Active singapore:Active");
    assertThat(condition(after, "DrillInProgress").getStatus()).isEqualTo("False");
    assertThat(mumbaiRoute("singapore").servedBy()).isNull();
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> eventReasons().containsAll(List.of("DrillStarted", "DrillSucceeded")));
    assertThat(event("DrillSucceeded").orElseThrow().getMessage())
        .contains("drill Q4-2026 on mumbai Succeeded", "RTO " + done.getRto());

    String metrics = operator.registry().scrape();
    assertThat(metrics)
        .contains("homeport_operator_drills_total{result=\"Succeeded\"} 1.0")
        .contains("homeport_operator_drill_rto_seconds{region=\"mumbai\"}")
        .contains("homeport_operator_drill_running{region=\"mumbai\"} 0.0");

    // Nothing re-runs: the spec still names the drill.
    await()
        .during(Duration.ofSeconds(2))
        .atMost(Duration.ofSeconds(3))
        .until(
            () ->
                get().getStatus().getDrills().size() == 1
                    && get().getStatus().getSummary().startsWith("mumbai:Active"));
  }

  @Test
  void anAbortThresholdCrossedFailsBackAtOnceAndSaysWhy() {
    apply("drill-abort-threshold", 150, "", POLICY);
    awaitAllActive();
    // singapore's backend answers 502 to everything it serves, mumbai's keys too once it has them.
    StandInRegion.BROKEN.add("singapore");
    startDrill("broken-peer", "mumbai", "5m");

    awaitRecord("broken-peer", Duration.ofSeconds(20), r -> r.getPhase() == DrillPhase.Verifying);
    long flipped = System.nanoTime();
    DrillRecord stopping =
        awaitRecord(
            "broken-peer", Duration.ofSeconds(10), r -> r.getPhase() == DrillPhase.FailingBack);
    double toFailback = (System.nanoTime() - flipped) / 1e9;
    assertThat(stopping.getPendingResult()).isEqualTo(DrillResult.Aborted);
    assertThat(toFailback).as("fails back at once").isLessThan(2.0);
    assertThat(mumbaiRoute("frankfurt").servedBy()).isNull();

    DrillRecord done =
        awaitRecord(
            "broken-peer", Duration.ofSeconds(20), r -> r.getResult() != DrillResult.Running);
    System.out.printf(
        "Drill broken-peer: %s %.2f s after the flip became visible: %s%n",
        done.getResult(), toFailback, done.getReason());
    assertThat(done.getResult()).isEqualTo(DrillResult.Aborted);
    assertThat(done.getReason())
        .startsWith("errorRate 1.00 over 0.05 (")
        .contains("synthetic requests failed: 502 from singapore via ");
    assertThat(done.getErrors()).isPositive();
    assertThat(done.getRto()).as("never all served by the peer").isNull();
    assertThat(get().getStatus().getSummary())
        .isEqualTo("mumbai:Active frankfurt:Active singapore:Active");
    await().atMost(Duration.ofSeconds(5)).until(() -> event("DrillAborted").isPresent());
    assertThat(event("DrillAborted").orElseThrow().getMessage()).contains("errorRate 1.00 over");
  }

  @Test
  void theAbortAnnotationAbortsARunningDrill() {
    apply("drill-abort-by-hand", 150, "", POLICY);
    awaitAllActive();
    startDrill("by-hand", "mumbai", "5m");
    awaitRecord("by-hand", Duration.ofSeconds(20), r -> r.getPhase() == DrillPhase.Holding);
    long aborted = System.nanoTime();
    annotate(Drills.ABORT_ANNOTATION, "by-hand");

    DrillRecord done =
        awaitRecord("by-hand", Duration.ofSeconds(20), r -> r.getResult() != DrillResult.Running);
    System.out.printf(
        "Drill by-hand aborted by annotation: mumbai served by itself again %.2f s later%n",
        (System.nanoTime() - aborted) / 1e9);
    assertThat(done.getResult()).isEqualTo(DrillResult.Aborted);
    assertThat(done.getReason())
        .isEqualTo("aborted by hand (annotation homeport.dev/abort-drill: by-hand)");
    assertThat(done.getRto()).isNotNull();
    assertThat(done.getPhase()).isEqualTo(DrillPhase.VerifyingBack);
    assertThat(get().getStatus().getSummary()).startsWith("mumbai:Active");
  }

  @Test
  void abortedBeforeTheFlipTheRegionKeepsItsKeys() {
    apply("drill-abort-early", 150, "", POLICY);
    awaitAllActive();
    // singapore never catches up: the drill waits in CatchingUp until aborted.
    regions.get("singapore").applied.get("mumbai").set(10);
    startDrill("early", "mumbai", "5m");
    awaitRecord("early", Duration.ofSeconds(20), r -> r.getPhase() == DrillPhase.CatchingUp);
    annotate(Drills.ABORT_ANNOTATION, "early");

    DrillRecord done =
        awaitRecord("early", Duration.ofSeconds(10), r -> r.getResult() != DrillResult.Running);
    assertThat(done.getResult()).isEqualTo(DrillResult.Aborted);
    assertThat(done.getPhase()).isEqualTo(DrillPhase.CatchingUp);
    assertThat(done.getReplicationLag()).isEqualTo(990L);
    assertThat(flipSeen.get()).as("mumbai's keys never moved").isZero();
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> get().getStatus().getSummary().startsWith("mumbai:Active"));
  }

  @Test
  void refusedInABlockedWindowWithAnInvalidPolicyAndForAPeerWithoutHeadroom() {
    Instant now = Instant.now();
    String blocked =
        """
          drillPolicy:
            blockedWindows:
            - start: "%s"
              end: "%s"
              reason: quarter-end freeze
        """
            .formatted(now.minusSeconds(3600), now.plusSeconds(3600));
    apply("drill-refusals", 150, drill("in-window", "mumbai", "1m"), blocked);
    DrillRecord window =
        awaitRecord("in-window", Duration.ofSeconds(20), r -> r.getResult() != null);
    assertThat(window.getResult()).isEqualTo(DrillResult.Refused);
    assertThat(window.getPhase()).isEqualTo(DrillPhase.PreChecks);
    assertThat(window.getReason())
        .contains(
            "inside blocked window spec.drillPolicy.blockedWindows[0] (quarter-end freeze:",
            "until " + now.plusSeconds(3600).toString().substring(0, 16));

    String mars =
        """
          drillPolicy:
            blockedWindows:
            - days: [Sat, Sun]
              from: "00:00"
              to: "06:00"
              timeZone: Mars/Base
        """;
    apply("drill-refusals", 150, drill("bad-policy", "mumbai", "1m"), mars);
    DrillRecord invalid =
        awaitRecord("bad-policy", Duration.ofSeconds(20), r -> r.getResult() != null);
    assertThat(invalid.getResult()).isEqualTo(DrillResult.Refused);
    assertThat(invalid.getReason())
        .contains(
            "spec.drillPolicy.blockedWindows[0].timeZone: \"Mars/Base\" is not a time zone; use an"
                + " IANA name such as Europe/Berlin");
    Condition policyValid = condition(get(), "DrillPolicyValid");
    assertThat(policyValid.getStatus()).isEqualTo("False");
    assertThat(policyValid.getMessage()).contains("Mars/Base");

    apply("drill-refusals", 50, drill("small-peer", "mumbai", "1m"), POLICY);
    DrillRecord peer =
        awaitRecord("small-peer", Duration.ofSeconds(20), r -> r.getResult() != null);
    System.out.printf(
        "Refused drills:%n  %s%n  %s%n  %s%n",
        window.getReason(), invalid.getReason(), peer.getReason());
    assertThat(peer.getResult()).isEqualTo(DrillResult.Refused);
    assertThat(peer.getReason())
        .contains(
            "no failover peer can take mumbai's keys: singapore has capacityWeight 50, less than"
                + " mumbai's 100");
    assertThat(condition(get(), "DrillPolicyValid").getStatus()).isEqualTo("True");
    assertThat(get().getStatus().getSummary())
        .isEqualTo("mumbai:Active frankfurt:Active singapore:Active");
    await()
        .atMost(Duration.ofSeconds(5))
        .until(
            () ->
                client.v1().events().inNamespace("default").list().getItems().stream()
                        .filter(e -> topologyName.equals(e.getInvolvedObject().getName()))
                        .filter(e -> "DrillRefused".equals(e.getReason()))
                        .count()
                    == 3);
  }

  @Test
  void refusedWhileAnotherRegionIsFailedOver() {
    apply("drill-busy", 150, "", POLICY);
    awaitAllActive();
    regions.get("frankfurt").kill();
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> get().getStatus().getSummary().contains("frankfurt:FailedOver>singapore"));
    startDrill("while-busy", "mumbai", "1m");
    DrillRecord busy =
        awaitRecord("while-busy", Duration.ofSeconds(20), r -> r.getResult() != null);
    System.out.printf("Refused drill: %s%n", busy.getReason());
    assertThat(busy.getResult()).isEqualTo(DrillResult.Refused);
    assertThat(busy.getReason())
        .contains("frankfurt is FailedOver (served by singapore)", "every region is Active");
    assertThat(get().getStatus().getSummary()).startsWith("mumbai:Active");
  }

  @Test
  void anOperatorRestartedMidDrillFinishesItSafely() {
    apply("drill-restart", 150, "", POLICY);
    awaitAllActive();
    startDrill("restarted", "mumbai", "3s");
    // Kill point 1: fenced, waiting for mumbai's lease to run out.
    awaitRecord("restarted", Duration.ofSeconds(20), r -> r.getPhase() == DrillPhase.Fencing);
    operator.close();
    long restarted = System.nanoTime();
    operator = new HomeportOperator(client, null, null);
    operator.start();
    await().atMost(Duration.ofSeconds(20)).until(() -> flipSeen.get() != 0);
    double afterRestart = (flipSeen.get() - restarted) / 1e9;
    assertThat(afterRestart)
        .as("a restarted operator counts mumbai's lease from its own start")
        .isGreaterThanOrEqualTo(FENCE_WAIT.toMillis() / 1000.0);

    // Kill point 2: holding.
    awaitRecord("restarted", Duration.ofSeconds(20), r -> r.getPhase() == DrillPhase.Holding);
    operator.close();
    operator = new HomeportOperator(client, null, null);
    operator.start();

    DrillRecord done =
        awaitRecord("restarted", Duration.ofSeconds(30), r -> r.getResult() != DrillResult.Running);
    System.out.printf(
        "Drill restarted (operator restarted while Fencing and while Holding): %s, flip %.2f s"
            + " after the first restart, RTO %s, %d synthetic requests%n",
        done.getResult(), afterRestart, done.getRto(), done.getSyntheticRequests());
    assertThat(done.getResult()).as(done.getReason()).isEqualTo(DrillResult.Succeeded);
    assertThat(done.getRto()).isNotNull();
    assertThat(get().getStatus().getDrills()).hasSize(1);
    assertThat(get().getStatus().getSummary())
        .isEqualTo("mumbai:Active frankfurt:Active singapore:Active");
    Map<String, Long> epochs = new HashMap<>();
    for (String region : REGIONS) {
      epochs.put(region, regions.get(region).table().epoch());
    }
    assertThat(epochs.values()).containsOnly(get().getStatus().getRoutingEpoch());
  }

  @Test
  void usersFailingThroughTheFrontDoorsAbortADrillWhoseSyntheticRequestsSucceed() {
    withFrontDoorToken();
    apply("drill-abort-users", 150, "", POLICY);
    awaitAllActive();
    // singapore's backend cannot take mumbai's users on /checkout; /orders (synthetic) works.
    StandInRegion.BROKEN_FOR_FAILOVER.add("singapore");
    startUsers();
    startDrill("users-hurt", "mumbai", "5m");

    awaitRecord("users-hurt", Duration.ofSeconds(20), r -> r.getPhase() == DrillPhase.Verifying);
    long flipped = System.nanoTime();
    DrillRecord stopping =
        awaitRecord(
            "users-hurt", Duration.ofSeconds(10), r -> r.getPhase() == DrillPhase.FailingBack);
    double toFailback = (System.nanoTime() - flipped) / 1e9;
    assertThat(stopping.getPendingResult()).isEqualTo(DrillResult.Aborted);
    assertThat(toFailback).as("fails back within a few reads of the metrics").isLessThan(5.0);
    DrillRecord done =
        awaitRecord(
            "users-hurt", Duration.ofSeconds(30), r -> r.getResult() != DrillResult.Running);
    System.out.printf(
        "Drill users-hurt: %s, failing back %.2f s after the flip became visible: %s; %d"
            + " synthetic requests, %d errors; users sent %d requests, %d failed (all drill)%n",
        done.getResult(),
        toFailback,
        done.getReason(),
        done.getSyntheticRequests(),
        done.getErrors(),
        usersSent.get(),
        usersFailed.get());
    assertThat(done.getResult()).as(done.getReason()).isEqualTo(DrillResult.Aborted);
    assertThat(done.getErrors()).as("every synthetic request succeeded").isZero();
    assertThat(done.getSyntheticRequests()).isPositive();
    assertThat(done.getReason())
        .startsWith("front-door metrics: errorRate ")
        .contains(
            " over 0.05 (",
            " requests failed across frankfurt, mumbai, singapore since the flip; 5xx by region: ")
        .containsPattern("singapore \\d+ \\([^)]*failover-local \\d+");
    Matcher figures = Pattern.compile("(\\d+) of (\\d+) requests failed").matcher(done.getReason());
    assertThat(figures.find()).isTrue();
    long failed = Long.parseLong(figures.group(1));
    long requests = Long.parseLong(figures.group(2));
    assertThat(requests).isGreaterThanOrEqualTo(20);
    assertThat((double) failed / requests).isGreaterThan(0.05);
    assertThat(get().getStatus().getSummary())
        .isEqualTo("mumbai:Active frankfurt:Active singapore:Active");
    assertThat(done.getNotes()).doesNotContain(Drills.NO_TOKEN_NOTE);
    await().atMost(Duration.ofSeconds(5)).until(() -> event("DrillAborted").isPresent());
    assertThat(event("DrillAborted").orElseThrow().getMessage())
        .contains("drill users-hurt on mumbai Aborted: front-door metrics: errorRate ")
        .contains(figures.group(0));
  }

  @Test
  void aDrillWhoseUsersAreServedWellCompletesWithTheirFiguresAndAnUnreadFrontDoorNoted() {
    withFrontDoorToken();
    // frankfurt's front-door has another admin token: its metrics cannot be read.
    regions.get("frankfurt").adminToken = "another-admin-token-0000";
    apply("drill-users-fine", 150, "", POLICY);
    awaitAllActive();
    startUsers();
    startDrill("users-fine", "mumbai", "3s");

    DrillRecord done =
        awaitRecord(
            "users-fine", Duration.ofSeconds(40), r -> r.getResult() != DrillResult.Running);
    System.out.printf(
        "Drill users-fine: %s; notes %s; users sent %d requests, %d failed (all drill)%n",
        done.getResult(), done.getNotes(), usersSent.get(), usersFailed.get());
    assertThat(done.getResult()).as(done.getReason()).isEqualTo(DrillResult.Succeeded);
    assertThat(done.getNotes())
        .doesNotContain(Drills.NO_TOKEN_NOTE)
        .anySatisfy(
            note ->
                assertThat(note)
                    .startsWith("front-door metrics of frankfurt could not be read (")
                    .contains("/metrics answered 401"));
    String summary =
        done.getNotes().stream()
            .filter(note -> note.startsWith("front-door metrics from the flip on: "))
            .findFirst()
            .orElseThrow();
    Matcher figures =
        Pattern.compile("0 of (\\d+) requests failed across mumbai, singapore, p99 ")
            .matcher(summary);
    assertThat(figures.find()).as(summary).isTrue();
    assertThat(Long.parseLong(figures.group(1)))
        .as("enough requests to have been judged")
        .isGreaterThanOrEqualTo(20);
    assertThat(operator.registry().scrape())
        .containsPattern(
            "homeport_operator_drill_frontdoor_reads_failed_total\\{region=\"frankfurt\"} [1-9]");
  }
}
