package dev.homeport.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.homeport.contract.KeyHash;
import dev.homeport.contract.RoutingTable;
import dev.homeport.crds.v1alpha1.HomeAssignment;
import dev.homeport.crds.v1alpha1.RegionTopology;
import dev.homeport.crds.v1alpha1.spec.ApprovalMode;
import dev.homeport.crds.v1alpha1.spec.FailbackPolicy;
import dev.homeport.crds.v1alpha1.spec.RegionSpec;
import dev.homeport.crds.v1alpha1.spec.RegionTopologySpec;
import dev.homeport.crds.v1alpha1.status.DrillRecord;
import dev.homeport.crds.v1alpha1.status.HomeAssignmentPhase;
import dev.homeport.crds.v1alpha1.status.RegionStatus;
import dev.homeport.e2e.history.CheckResult;
import dev.homeport.e2e.history.ClientOp;
import dev.homeport.e2e.history.HistoryChecker;
import dev.homeport.e2e.report.Scenario;
import dev.homeport.e2e.report.ScenarioReport;
import dev.homeport.e2e.runbook.RunbookPage;
import dev.homeport.e2e.runbook.RunbookRunner;
import dev.homeport.e2e.runbook.StandIn;
import dev.homeport.testkit.CommandResult;
import dev.homeport.testkit.ProjectPaths;
import dev.homeport.testkit.ToolCache;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Every runbook in runbooks/ run as written, one test per page, on one local system: each test sets
 * up the situation its page is for (a region killed, its Redis killed, the operator killed, a
 * tenant to move, a region to add and to remove), runs the page's command blocks with bash ({@link
 * RunbookRunner}), and asserts the end state, with clients writing throughout and the history
 * checked for lost, doubled and split-brain writes. The tests run in page order of an estate's
 * life; each checks its own starting point first, so one can also be run alone.
 *
 * <p>The local management cluster has no kubelet: the test puts the chart's objects of every region
 * into it, and where a page restarts or installs pods, a {@link StandIn} does the same to the local
 * processes right after the command ran against the API server (see runbooks/README.md).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RunbookIT extends LocalSystemScenario {

  /**
   * The namespace the chart is installed in, where the operator takes its leader-election Lease.
   */
  private static final String NAMESPACE = "homeport";

  /** The region the adding and removing pages bring in and take out again. */
  private static final String NEW_REGION = "hyderabad";

  /** Buckets moved to the new region: mumbai's by placement, and in its residency (in). */
  private static final String NEW_REGION_BUCKETS = "0-63";

  private static final Duration BLOCK_TIMEOUT = Duration.ofMinutes(4);

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private RunbookRunner runner;
  private String page;

  /**
   * Failover within seconds (LocalSystem.fastFailover), with failback on approval, as a production
   * topology has it: the failback page is about giving that approval.
   */
  private static Consumer<RegionTopologySpec> topology() {
    return LocalSystem.fastFailover()
        .andThen(
            spec -> {
              FailbackPolicy failback = new FailbackPolicy();
              failback.setMode(ApprovalMode.Manual);
              failback.setStableFor("5s");
              spec.getFailover().setFailback(failback);
            });
  }

  @Override
  protected LocalSystem startSystem() {
    Path state = ProjectPaths.root().resolve("e2e/target/local-" + getClass().getSimpleName());
    LocalSystem system =
        LocalSystem.start(
            LocalSystem.Options.scenario(state, topology())
                .withLeaderElection(NAMESPACE)
                .withSpareRegion(NEW_REGION));
    try {
      Path helm = ToolCache.helm();
      installCharts(system, helm);
      Path root = ProjectPaths.root();
      runner =
          RunbookRunner.builder(root.resolve("e2e/target/runbooks"))
              .tool("kubectl", system.kubectlBinary())
              .tool("kubectl-homeport", root.resolve("cli/target/kubectl-homeport"))
              .tool("helm", helm)
              .env("KUBECONFIG", system.kubeconfig().toString())
              .env("JAVA_HOME", System.getProperty("java.home"))
              .blockTimeout(BLOCK_TIMEOUT)
              .build();
      return system;
    } catch (RuntimeException | Error e) {
      system.close();
      throw e;
    }
  }

  @BeforeEach
  void page(TestInfo test) {
    page = test.getTestMethod().orElseThrow().getAnnotation(RunsPage.class).value();
  }

  // ---------------------------------------------------------------------------------------------

  @Test
  @Order(1)
  @RunsPage("quarterly-drill.md")
  void quarterlyDrillFailsMumbaiOverAndBackAndFilesTheReport() throws Exception {
    Scenario scenario = ScenarioReport.shared().scenario("Runbook: quarterly drill of mumbai");
    system.awaitSummary(system.allActive(), Duration.ofSeconds(60));
    List<String> mumbaiKeys = keysHomedIn("mumbai", "drill-client-", 20);
    String drillId = "runbook-drill-" + System.currentTimeMillis();

    long start = System.nanoTime();
    RunbookRunner.Result result;
    try (ClientLoad load = load(withOthers(mumbaiKeys, "drill-other-"), system.regionNames())) {
      awaitAcknowledged(load, 200);
      result = run(Map.of("REGION", "mumbai", "HOLD", "8s", "DRILL_ID", drillId));
      awaitServedBy(mumbaiKeys, "mumbai", System.nanoTime(), 50);
    }

    DrillRecord drill =
        system.topology().getStatus().getDrills().stream()
            .filter(d -> drillId.equals(d.getId()))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no drill " + drillId + " in the status"));
    assertThat(drill.getResult()).hasToString("Succeeded");
    assertThat(drill.getPeer()).isEqualTo("singapore");
    assertThat(drill.getRto()).isNotBlank();
    Path report = workDir().resolve("drill-" + drillId + ".md");
    assertThat(report).content(StandardCharsets.UTF_8).contains("| Result | Succeeded |");
    assertThat(workDir().resolve("drill-" + drillId + ".json"))
        .content(StandardCharsets.UTF_8)
        .contains("\"result\" : \"Succeeded\"");
    assertThat(servedBySince(mumbaiKeys, "singapore", start))
        .as("writes for mumbai's keys served by singapore during the hold")
        .isPositive();
    system.awaitSummary(system.allActive(), Duration.ofSeconds(30));
    finish(scenario, result)
        .figure("drill RTO (operator's record)", drill.getRto())
        .figure("drill errors", drill.getErrors() + " of " + drill.getSyntheticRequests())
        .done();
  }

  @Test
  @Order(2)
  @RunsPage("unplanned-region-failure.md")
  void unplannedFailureOfMumbaiEndsWithSingaporeServingItsKeys() throws Exception {
    Scenario scenario = ScenarioReport.shared().scenario("Runbook: unplanned failure of mumbai");
    system.awaitSummary(system.allActive(), Duration.ofSeconds(60));
    List<String> mumbaiKeys = keysHomedIn("mumbai", "outage-client-", 20);

    RunbookRunner.Result result;
    try (ClientLoad load =
        load(withOthers(mumbaiKeys, "outage-other-"), List.of("frankfurt", "singapore"))) {
      awaitAcknowledged(load, 200);
      system.kill("mumbai");
      scenario.event("mumbai killed");
      result =
          run(
              Map.of(
                  "REGION",
                  "mumbai",
                  "PROBE_KEY",
                  mumbaiKeys.get(0),
                  "ADMIN_TOKEN",
                  LocalSystem.ADMIN_TOKEN));
      long after = System.nanoTime();
      awaitServedBy(mumbaiKeys, "singapore", after, 100);
    }

    assertThat(system.summary())
        .isEqualTo("mumbai:FailedOver>singapore frankfurt:Active singapore:Active");
    assertThat(result.output()).contains("mumbai's keys are served by singapore");
    assertThat(system.routingTable("frankfurt").regions().get("mumbai").servedBy())
        .isEqualTo("singapore");
    finish(scenario, result).done();
  }

  @Test
  @Order(3)
  @RunsPage("failback.md")
  void failbackOfMumbaiAfterApprovalServesItsKeysAtHomeAgain() throws Exception {
    Scenario scenario = ScenarioReport.shared().scenario("Runbook: failback of mumbai");
    String failedOver = "mumbai:FailedOver>singapore frankfurt:Active singapore:Active";
    if (!system.summary().equals(failedOver)) {
      system.awaitSummary(system.allActive(), Duration.ofSeconds(60));
      system.kill("mumbai");
      system.awaitSummary(failedOver, Duration.ofSeconds(60));
    }
    List<String> mumbaiKeys = keysHomedIn("mumbai", "failback-client-", 20);

    RunbookRunner.Result result;
    try (ClientLoad load =
        load(withOthers(mumbaiKeys, "failback-other-"), List.of("frankfurt", "singapore"))) {
      awaitAcknowledged(load, 200);
      system.restore("mumbai");
      scenario.event("mumbai back");
      // The situation the page is for: healthy, but failback waits for a person (Manual mode).
      await()
          .atMost(Duration.ofSeconds(90))
          .until(() -> conditionReason("FailoverRefused").contains("AwaitingFailbackApproval"));
      assertThat(system.summary()).isEqualTo(failedOver);
      result =
          run(
              Map.of(
                  "REGION",
                  "mumbai",
                  "PROBE_KEY",
                  mumbaiKeys.get(0),
                  "ADMIN_TOKEN",
                  LocalSystem.ADMIN_TOKEN));
      awaitServedBy(mumbaiKeys, "mumbai", System.nanoTime(), 100);
    }

    assertThat(system.summary()).isEqualTo(system.allActive());
    assertThat(system.topology().getMetadata().getAnnotations())
        .doesNotContainKeys("homeport.dev/approve-failover", "homeport.dev/approve-failback");
    assertThat(system.backends().staleWrites())
        .as("writes mumbai applied before it had applied singapore's for the same key")
        .isEmpty();
    finish(scenario, result).done();
  }

  @Test
  @Order(4)
  @RunsPage("redis-down.md")
  void singaporesRedisKilledIsFailedOverBroughtBackAndFailedBack() throws Exception {
    Scenario scenario = ScenarioReport.shared().scenario("Runbook: Redis of singapore down");
    system.awaitSummary(system.allActive(), Duration.ofSeconds(60));
    List<String> singaporeKeys = keysHomedIn("singapore", "redis-client-", 20);

    RunbookRunner.Result result;
    try (ClientLoad load =
        load(withOthers(singaporeKeys, "redis-other-"), List.of("mumbai", "frankfurt"))) {
      awaitAcknowledged(load, 200);
      system.killRedis("singapore");
      scenario.event("singapore's Redis killed");
      result =
          run(
              Map.of("REGION", "singapore"),
              // The page restarts the chart's bundled Redis (a Deployment, no pod here); the local
              // system runs singapore's Redis as a process: start it again, empty, as a restarted
              // bundled Redis (no persistence) comes back.
              StandIn.after(
                  "rollout restart deployment/\"$REDIS_DEPLOYMENT\"",
                  "restart singapore's redis-server (empty)",
                  () -> system.restartRedis("singapore")));
      awaitServedBy(singaporeKeys, "singapore", System.nanoTime(), 100);
    }

    assertThat(system.summary()).isEqualTo(system.allActive());
    assertThat(restartedAt("homeport-singapore-redis"))
        .as("the page's kubectl rollout restart reached the API server")
        .isNotNull();
    assertThat(result.output())
        .contains("moved keys: 0 in singapore, 0 in mumbai; moved buckets: 0 in singapore");
    finish(scenario, result).done();
  }

  @Test
  @Order(5)
  @RunsPage("operator-down.md")
  void theOperatorDownFencesEveryRegionUntilTheRestartedOperatorRenewsTheLeases() throws Exception {
    Scenario scenario = ScenarioReport.shared().scenario("Runbook: operator down");
    system.awaitSummary(system.allActive(), Duration.ofSeconds(60));
    String leaderBefore = lease().getSpec().getHolderIdentity();
    int transitionsBefore = lease().getSpec().getLeaseTransitions();
    List<String> keys = new ArrayList<>();
    for (String region : system.regionNames()) {
      keys.addAll(keysHomedIn(region, "operator-client-" + region + "-", 10));
    }

    RunbookRunner.Result result;
    long restarted;
    long leasesBack;
    try (ClientLoad load = load(keys, system.regionNames())) {
      awaitAcknowledged(load, 200);
      system.killOperator();
      long killed = System.nanoTime();
      scenario.event(killed, "operator killed");
      // What the page is about: with nobody renewing, every region fences its home writes.
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> system.regionNames().stream().noneMatch(this::leaseHeld));
      scenario.event("every region fenced");
      String mumbaiKey = keys.get(0);
      HttpResponse<String> fenced = system.write("frankfurt", mumbaiKey, "operator-down-probe");
      assertThat(fenced.statusCode()).isEqualTo(503);
      assertThat(fenced.body()).contains("fenced_region");

      long[] restart = new long[1];
      result =
          run(
              Map.of(),
              // The page restarts the operator's Deployment (no pod here); the local system runs
              // the operator as a process: start it again, with a new leader-election identity as
              // a new pod would have.
              StandIn.after(
                  "rollout restart deployment/\"$OPERATOR_DEPLOYMENT\"",
                  "start the operator's process again",
                  () -> {
                    restart[0] = System.nanoTime();
                    system.startOperator();
                  }));
      restarted = restart[0];
      scenario.event(restarted, "operator started again");
      assertThat(system.regionNames()).allMatch(this::leaseHeld);
      leasesBack = System.nanoTime();
      awaitAcknowledged(load, load.acknowledged() + 200);
    }

    assertThat(system.summary()).isEqualTo(system.allActive());
    Lease lease = lease();
    assertThat(lease.getSpec().getHolderIdentity()).isNotEqualTo(leaderBefore);
    assertThat(lease.getSpec().getLeaseTransitions()).isGreaterThan(transitionsBefore);
    assertThat(restartedAt("homeport-mumbai-operator"))
        .as("the page's kubectl rollout restart reached the API server")
        .isNotNull();
    assertThat(system.write("frankfurt", keys.get(0), "operator-back-probe").statusCode())
        .isEqualTo(200);
    finish(scenario, result)
        .figure(
            "operator start to every lease held (by the page's wait)",
            Duration.ofNanos(leasesBack - restarted))
        .done();
  }

  @Test
  @Order(6)
  @RunsPage("rehoming-a-tenant.md")
  void aTenantsKeysMoveFromMumbaiToSingaporeUnderLoad() throws Exception {
    Scenario scenario = ScenarioReport.shared().scenario("Runbook: re-homing a tenant");
    system.awaitSummary(system.allActive(), Duration.ofSeconds(60));
    List<String> tenant = keysHomedIn("mumbai", "tenant-runbook-", 3);
    String moveName = "rehome-tenant-" + System.currentTimeMillis();

    RunbookRunner.Result result;
    long completed;
    try (ClientLoad load = load(withOthers(tenant, "tenant-other-"), system.regionNames())) {
      awaitAcknowledged(load, 200);
      result =
          run(
              Map.of(
                  "TENANT_KEYS",
                  String.join(",", tenant),
                  "TO_REGION",
                  "singapore",
                  "MOVE_NAME",
                  moveName));
      completed = System.nanoTime();
      awaitServedBy(tenant, "singapore", completed, 60);
    }

    HomeAssignment move =
        system
            .client()
            .resources(HomeAssignment.class)
            .inNamespace("default")
            .withName(moveName)
            .get();
    assertThat(move.getStatus().getPhase()).isEqualTo(HomeAssignmentPhase.Completed);
    assertThat(move.getStatus().getMovedKeys()).isEqualTo(3);
    Set<String> moved = Set.copyOf(tenant);
    assertThat(
            system.history().ops().stream()
                .filter(op -> op.startNanos() > completed && op.acknowledged())
                .filter(op -> moved.contains(op.key()))
                .filter(op -> !"singapore".equals(op.servedBy()))
                .count())
        .as("the tenant's writes after the move served elsewhere than singapore")
        .isZero();
    finish(scenario, result)
        .figure("operator's longest fence-to-switch", move.getStatus().getWriteUnavailability())
        .done();
  }

  @Test
  @Order(7)
  @RunsPage("adding-a-region.md")
  void hyderabadJoinsHomingNothingUntilBucketsAreMovedToIt() throws Exception {
    Scenario scenario = ScenarioReport.shared().scenario("Runbook: adding a region (hyderabad)");
    system.awaitSummary(system.allActive(), Duration.ofSeconds(60));
    RoutingTable before = system.routingTable("mumbai");
    List<String> bucketKeys = keysInBuckets(0, 63, "welcome-client-", 10);

    RunbookRunner.Result result;
    try (ClientLoad load = load(withOthers(bucketKeys, "welcome-other-"), system.regionNames())) {
      awaitAcknowledged(load, 200);
      result = addRegion(bucketKeys.get(0));
      awaitServedBy(bucketKeys, NEW_REGION, System.nanoTime(), 60);
    }

    assertThat(system.summary()).isEqualTo(system.allActive() + " " + NEW_REGION + ":Active");
    RoutingTable after = system.routingTable("mumbai");
    assertThat(after.bucketMap())
        .as("adding a region moves nobody: the bucket map is the one before")
        .isEqualTo(before.bucketMap());
    assertThat(after.regions()).containsKey(NEW_REGION);
    assertThat(regionStatus(NEW_REGION).getHomedBuckets())
        .as("the operator's count of the buckets %s homes", NEW_REGION)
        .isEqualTo(64);
    finish(scenario, result).done();
  }

  @Test
  @Order(8)
  @RunsPage("removing-a-region.md")
  void hyderabadLeavesAfterItsBucketsMoveBackToMumbai() throws Exception {
    Scenario scenario = ScenarioReport.shared().scenario("Runbook: removing a region (hyderabad)");
    List<String> bucketKeys = keysInBuckets(0, 63, "farewell-client-", 10);
    if (!system.topology().getSpec().getRegions().stream()
        .anyMatch(r -> r.getName().equals(NEW_REGION))) {
      // The page's starting point is the adding page's end: a region homing buckets.
      system.awaitSummary(system.allActive(), Duration.ofSeconds(60));
      addRegion(bucketKeys.get(0));
    }
    system.awaitSummary(system.allActive() + " " + NEW_REGION + ":Active", Duration.ofSeconds(60));

    RunbookRunner.Result result;
    try (ClientLoad load = load(withOthers(bucketKeys, "farewell-other-"), system.regionNames())) {
      awaitAcknowledged(load, 200);
      result =
          run(
              Map.of(
                  "REGION",
                  NEW_REGION,
                  "TO_REGION",
                  "mumbai",
                  "BUCKETS",
                  NEW_REGION_BUCKETS,
                  "PROBE_KEY",
                  bucketKeys.get(0),
                  "ADMIN_TOKEN",
                  LocalSystem.ADMIN_TOKEN),
              // The page uninstalls the region's chart (objects only, here); the local system
              // runs its front-door and Redis as processes: stop them.
              StandIn.after(
                  "helm --kube-context \"$REGION_CONTEXT\" uninstall",
                  "stop hyderabad's front-door and Redis",
                  () -> system.stopSpareRegion(NEW_REGION)));
      awaitServedBy(bucketKeys, "mumbai", System.nanoTime(), 60);
    }

    assertThat(system.summary()).isEqualTo(system.allActive());
    assertThat(system.topology().getSpec().getRegions())
        .extracting(RegionSpec::getName)
        .containsExactlyElementsOf(system.regionNames());
    assertThat(condition("RegionsValid").getStatus()).isEqualTo("True");
    for (String region : system.regionNames()) {
      assertThat(system.routingTable(region).regions()).doesNotContainKey(NEW_REGION);
    }
    finish(scenario, result).done();
  }

  // ---------------------------------------------------------------------------------------------

  /** Runs the adding page: hyderabad installed, added and given buckets 0-63 of mumbai. */
  private RunbookRunner.Result addRegion(String probeKey) throws IOException {
    RegionSpec spec = system.spareRegionSpec(NEW_REGION, "in", List.of("mumbai"));
    Path values = ProjectPaths.root().resolve("e2e/target/runbooks/" + NEW_REGION + ".yaml");
    Files.writeString(
        values,
        Files.readString(
                ProjectPaths.root().resolve("helm/homeport/examples/singapore.yaml"),
                StandardCharsets.UTF_8)
            .replace("singapore", NEW_REGION),
        StandardCharsets.UTF_8);
    Map<String, String> variables = new LinkedHashMap<>();
    variables.put("NEW_REGION", NEW_REGION);
    variables.put("RESIDENCY", "in");
    variables.put("FAILOVER_PEER", "mumbai");
    variables.put("FRONTDOOR_URL", spec.getFrontDoor().getUrl());
    variables.put("FRONTDOOR_ADMIN_URL", spec.getFrontDoor().getAdminUrl());
    variables.put("REDIS_URL", spec.getRedis().getUrl());
    variables.put("REPLICATION_PROBE", spec.getReplicationProbe());
    variables.put("BUCKETS", NEW_REGION_BUCKETS);
    variables.put("RATE", "2000");
    variables.put("HOMEPORT_CHART", ProjectPaths.root().resolve("helm/homeport").toString());
    variables.put("VALUES", values.toString());
    variables.put("PROBE_KEY", probeKey);
    variables.put("ADMIN_TOKEN", LocalSystem.ADMIN_TOKEN);
    return runner.run(
        RunbookPage.load(ProjectPaths.root().resolve("runbooks/adding-a-region.md")),
        variables,
        // The page installs the region's chart (objects only, here); the local system runs its
        // Redis and front-door as processes: start them.
        StandIn.after(
            "helm --kube-context \"$REGION_CONTEXT\" install",
            "start hyderabad's Redis and front-door",
            () -> system.startSpareRegion(NEW_REGION)));
  }

  /** Runs the current test's page with these variables (and the local admin token). */
  private RunbookRunner.Result run(Map<String, String> variables, StandIn... standIns) {
    Map<String, String> all = new LinkedHashMap<>();
    all.put("ADMIN_TOKEN", LocalSystem.ADMIN_TOKEN);
    all.putAll(variables);
    return runner.run(
        RunbookPage.load(ProjectPaths.root().resolve("runbooks").resolve(page)), all, standIns);
  }

  private Path workDir() {
    return ProjectPaths.root()
        .resolve("e2e/target/runbooks")
        .resolve(page.substring(0, page.length() - ".md".length()));
  }

  /** Adds the page's wall time and the history check; fails on any lost or doubled write. */
  private Scenario finish(Scenario scenario, RunbookRunner.Result result) {
    CheckResult check =
        HistoryChecker.check(
            system.history(), HistoryChecker.Policy.strict(LocalSystem.FAST_LEASE_AND_SKEW));
    scenario
        .figure("page " + page + ", " + result.blocks().size() + " command blocks", result.took())
        .check(check);
    assertThat(check.lost()).as(check.summary()).isZero();
    assertThat(check.doubled()).as(check.summary()).isZero();
    assertThat(check.splitBrain()).as(check.summary()).isZero();
    assertThat(check.misattributed()).as(check.summary()).isZero();
    return scenario;
  }

  /** Clients writing {@code keys} through the given regions' front-doors, 6 at a time. */
  private ClientLoad load(List<String> keys, List<String> entries) {
    return new ClientLoad(
        system.history(),
        Scenarios.entries(system, entries),
        keys,
        6,
        ClientLoad.Mix.WRITES,
        Duration.ofMillis(20),
        Duration.ofMinutes(5));
  }

  /** {@code keys} and as many keys of the other regions. */
  private List<String> withOthers(List<String> keys, String prefix) {
    List<String> all = new ArrayList<>(keys);
    for (String region : system.regionNames()) {
      all.addAll(keysHomedIn(region, prefix + region + "-", 5));
    }
    return all;
  }

  private static void awaitAcknowledged(ClientLoad load, long count) {
    await().atMost(Duration.ofSeconds(60)).until(() -> load.acknowledged() >= count);
  }

  /** Waits until {@code count} writes for {@code keys} started after {@code since} by region. */
  private void awaitServedBy(List<String> keys, String region, long since, long count) {
    await().atMost(Duration.ofSeconds(60)).until(() -> servedBySince(keys, region, since) >= count);
  }

  private long servedBySince(List<String> keys, String region, long since) {
    Set<String> set = Set.copyOf(keys);
    Predicate<ClientOp> matching =
        op ->
            op.startNanos() >= since
                && op.acknowledged()
                && set.contains(op.key())
                && region.equals(op.servedBy());
    return system.history().ops().stream().filter(matching).count();
  }

  /**
   * {@code count} keys {@code prefix<n>} whose placement home is {@code region}, by the routing
   * table of a region whose front-door runs (the first region's may be down).
   */
  private List<String> keysHomedIn(String region, String prefix, int count) {
    RoutingTable table = system.routingTable(liveRegion());
    List<String> keys = new ArrayList<>();
    for (int i = 0; keys.size() < count; i++) {
      if (LocalSystem.placementHome(table, prefix + i).equals(region)) {
        keys.add(prefix + i);
      }
    }
    return keys;
  }

  private String liveRegion() {
    return system.regionNames().stream()
        .filter(r -> system.region(r).frontDoor().isAlive())
        .findFirst()
        .orElseThrow(() -> new AssertionError("no front-door runs"));
  }

  /** {@code count} keys {@code prefix<n>} whose bucket is in {@code from..to}. */
  private List<String> keysInBuckets(int from, int to, String prefix, int count) {
    int buckets = system.routingTable(liveRegion()).buckets();
    List<String> keys = new ArrayList<>();
    for (int i = 0; keys.size() < count; i++) {
      int bucket = KeyHash.bucket(prefix + i, buckets);
      if (bucket >= from && bucket <= to) {
        keys.add(prefix + i);
      }
    }
    return keys;
  }

  private boolean leaseHeld(String region) {
    try {
      HttpResponse<String> response =
          http.send(
              HttpRequest.newBuilder(URI.create(system.region(region).adminUrl() + "/healthz"))
                  .timeout(Duration.ofSeconds(3))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      return response.statusCode() == 200
          && new JsonObject(response.body()).getBoolean("leaseHeld", false);
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private Lease lease() {
    return system.client().leases().inNamespace(NAMESPACE).withName("homeport-operator").get();
  }

  /** The restartedAt annotation {@code kubectl rollout restart} puts on a pod template. */
  private String restartedAt(String deployment) {
    Deployment object =
        system.client().apps().deployments().inNamespace(NAMESPACE).withName(deployment).get();
    Map<String, String> annotations = object.getSpec().getTemplate().getMetadata().getAnnotations();
    return annotations == null ? null : annotations.get("kubectl.kubernetes.io/restartedAt");
  }

  private RegionStatus regionStatus(String region) {
    return system.topology().getStatus().getRegions().stream()
        .filter(r -> region.equals(r.getName()))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no status of region " + region));
  }

  private Condition condition(String type) {
    RegionTopology topology = system.topology();
    return topology.getStatus().getConditions().stream()
        .filter(c -> type.equals(c.getType()))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no condition " + type + " in the status"));
  }

  private String conditionReason(String type) {
    Condition condition = condition(type);
    return "True".equals(condition.getStatus()) ? String.valueOf(condition.getReason()) : "";
  }

  /**
   * The chart's objects of every region in the management cluster, as if each region's cluster were
   * that one API server: the Deployments the pages restart exist, though no pod runs them. The
   * bundled Redis is on so that each region's Redis has a Deployment to restart.
   */
  private static void installCharts(LocalSystem system, Path helm) {
    Path root = ProjectPaths.root();
    for (String region : system.regionNames()) {
      CommandResult rendered =
          CommandResult.run(
              List.of(
                  helm.toString(),
                  "template",
                  "homeport-" + region,
                  root.resolve("helm/homeport").toString(),
                  "--namespace",
                  NAMESPACE,
                  "--values",
                  root.resolve("helm/homeport/examples/" + region + ".yaml").toString(),
                  "--set",
                  "bundledRedis.enabled=true"),
              root,
              120,
              TimeUnit.SECONDS);
      assertThat(rendered.succeeded()).as(rendered.toString()).isTrue();
      Path manifest = system.stateDir().resolve("chart-" + region + ".yaml");
      try {
        Files.writeString(manifest, rendered.stdout(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
      CommandResult applied = system.kubectl("apply", "-n", NAMESPACE, "-f", manifest.toString());
      assertThat(applied.succeeded()).as(applied.toString()).isTrue();
    }
  }
}
