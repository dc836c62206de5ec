package dev.homeport.operator.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import dev.homeport.contract.ContractJson;
import dev.homeport.contract.RedisKeys;
import dev.homeport.contract.RoutingTable;
import dev.homeport.crds.v1alpha1.RegionTopology;
import dev.homeport.crds.v1alpha1.status.RegionPhase;
import dev.homeport.operator.HomeportOperator;
import dev.homeport.testkit.KubeApiServerExtension;
import dev.homeport.testkit.RedisServer;
import dev.homeport.testkit.TestKubeApiServer;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
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
 * The operator against a real kube-apiserver, three real redis-servers and three HTTP health
 * endpoints standing in for the regions' front-doors.
 */
@ExtendWith(KubeApiServerExtension.class)
class RegionTopologyFailoverIT {

  private static final List<String> REGIONS = List.of("mumbai", "frankfurt", "singapore");

  private static TestKubeApiServer apiServer;
  private static KubernetesClient client;
  private HomeportOperator operator;
  private final Map<String, RedisServer> redis = new LinkedHashMap<>();
  private final Map<String, RedisClient> redisClients = new LinkedHashMap<>();
  private final Map<String, StatefulRedisConnection<String, String>> connections =
      new LinkedHashMap<>();
  private final Map<String, HttpServer> health = new LinkedHashMap<>();
  private String topologyName;

  @BeforeAll
  static void installCrds(TestKubeApiServer server) {
    apiServer = server;
    client = server.client();
    server.installCrds();
  }

  @BeforeEach
  void start() throws Exception {
    for (String region : REGIONS) {
      RedisServer server = RedisServer.start();
      redis.put(region, server);
      RedisClient redisClient = RedisClient.create(server.uri());
      redisClients.put(region, redisClient);
      connections.put(region, redisClient.connect());
      health.put(region, healthServer());
    }
    operator = new HomeportOperator(client, null, null);
    operator.start();
  }

  @AfterEach
  void stop() {
    if (topologyName != null) {
      client.resources(RegionTopology.class).withName(topologyName).delete();
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> client.resources(RegionTopology.class).withName(topologyName).get() == null);
    }
    if (operator != null) {
      operator.close();
    }
    health.values().forEach(server -> server.stop(0));
    connections.values().forEach(StatefulRedisConnection::close);
    redisClients.values().forEach(RedisClient::shutdown);
    redis.values().forEach(RedisServer::close);
  }

  private static HttpServer healthServer() throws Exception {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/healthz",
        exchange -> {
          byte[] body = "{\"status\":\"ok\"}".getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(200, body.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
          }
        });
    server.start();
    return server;
  }

  /** Applies a three-region topology; {@code frankfurtRedis} replaces frankfurt's redis block. */
  private void apply(String name, String mode, int minActive, String frankfurtRedis) {
    topologyName = name;
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
                .formatted(name));
    Map<String, String> residency = Map.of("mumbai", "in", "frankfurt", "eu", "singapore", "sg");
    Map<String, String> accepts =
        Map.of("mumbai", "[sg]", "frankfurt", "[sg]", "singapore", "[in, eu]");
    Map<String, String> peers =
        Map.of(
            "mumbai",
            "[singapore]",
            "frankfurt",
            "[singapore]",
            "singapore",
            "[mumbai, frankfurt]");
    for (String region : REGIONS) {
      String redisBlock =
          region.equals("frankfurt") && frankfurtRedis != null
              ? frankfurtRedis
              : "url: " + redis.get(region).uri();
      yaml.append(
          """
              - name: %s
                residency: %s
                acceptsResidency: %s
                frontDoor:
                  url: http://127.0.0.1:1%d
                  adminUrl: http://127.0.0.1:%d
                redis:
                  %s
                failoverPeers: %s
                capacityWeight: %d
          """
              .formatted(
                  region,
                  residency.get(region),
                  accepts.get(region),
                  REGIONS.indexOf(region),
                  health.get(region).getAddress().getPort(),
                  redisBlock,
                  peers.get(region),
                  region.equals("singapore") ? 150 : 100));
    }
    yaml.append(
        """
          placement:
            buckets: 64
          failover:
            mode: %s
            leaseDuration: 2s
            probeInterval: 500ms
            failureThreshold: 3
            skewMargin: 1s
            minActiveRegions: %d
            maxConcurrentFailovers: 1
            failback:
              mode: Manual
              stableFor: 2s
        """
            .formatted(mode, minActive));
    client.resource(yaml.toString()).serverSideApply();
  }

  private Optional<RoutingTable> table(String region) {
    String json = connections.get(region).sync().get(RedisKeys.ROUTING_TABLE);
    return Optional.ofNullable(json).map(j -> ContractJson.read(j, RoutingTable.class));
  }

  private static RegionTopology get(String name) {
    return client.resources(RegionTopology.class).withName(name).get();
  }

  private void awaitAllActive() {
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                REGIONS.stream()
                    .allMatch(
                        r ->
                            table(r)
                                    .map(
                                        t ->
                                            t.regions().get("mumbai").phase() == RegionPhase.Active)
                                    .orElse(false)
                                && connections.get(r).sync().get(RedisKeys.lease(r)) != null));
  }

  private void kill(String region) {
    health.get(region).stop(0);
    redis.get(region).kill();
  }

  /** Waits until both other regions' tables show mumbai served by singapore; returns when. */
  private long awaitServedBySingapore(long since, long[] visible) {
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(10))
        .until(
            () -> {
              boolean all = true;
              for (int i = 1; i < REGIONS.size(); i++) {
                if (visible[i] == 0) {
                  var route = table(REGIONS.get(i)).map(t -> t.regions().get("mumbai"));
                  if (route.isPresent() && "singapore".equals(route.get().servedBy())) {
                    visible[i] = System.nanoTime();
                  } else {
                    all = false;
                  }
                }
              }
              return all;
            });
    return Math.max(visible[1], visible[2]) - since;
  }

  @Test
  void aKilledRegionFailsOverToItsPeerWithinFiveSeconds() throws Exception {
    apply("global", "Automatic", 1, null);
    awaitAllActive();
    RegionTopology ready = get("global");
    assertThat(ready.getStatus().getSummary())
        .isEqualTo("mumbai:Active frankfurt:Active singapore:Active");
    assertThat(condition(ready, "Ready").getStatus()).isEqualTo("True");

    long killed = System.nanoTime();
    kill("mumbai");
    long[] visible = new long[REGIONS.size()];
    double seconds = awaitServedBySingapore(killed, visible) / 1e9;
    System.out.printf(
        "Failover: mumbai killed -> routing table with mumbai served by singapore visible in"
            + " frankfurt after %.2f s, singapore after %.2f s (leaseDuration 2s, probeInterval"
            + " 500ms, failureThreshold 3, skewMargin 1s)%n",
        (visible[1] - killed) / 1e9, (visible[2] - killed) / 1e9);
    assertThat(seconds).isLessThan(5.0);
    assertThat(seconds).as("not before the lease and skew margin ran out").isGreaterThan(3.0);

    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> get("global").getStatus().getSummary().contains("mumbai:FailedOver>singapore"));
    RegionTopology failedOver = get("global");
    assertThat(condition(failedOver, "Degraded").getStatus()).isEqualTo("True");
    assertThat(
            client.v1().events().inNamespace("default").list().getItems().stream()
                .filter(e -> "global".equals(e.getInvolvedObject().getName()))
                .map(e -> e.getReason()))
        .contains("FailoverStarted", "FailedOver");
  }

  @Test
  void aFailoverThatWouldBreakMinActiveRegionsIsRefusedWithACondition() throws Exception {
    apply("three-must-stay", "Automatic", 3, null);
    awaitAllActive();
    kill("mumbai");
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () -> condition(get("three-must-stay"), "FailoverRefused").getStatus().equals("True"));
    Condition refused = condition(get("three-must-stay"), "FailoverRefused");
    assertThat(refused.getReason()).contains("MinActiveRegions");
    assertThat(refused.getMessage()).contains("mumbai");
    // Hold well past the point where a failover would have happened (lease + skew: 3 s).
    await()
        .during(Duration.ofSeconds(4))
        .atMost(Duration.ofSeconds(6))
        .until(() -> table("frankfurt").orElseThrow().regions().get("mumbai").servedBy() == null);
    assertThat(get("three-must-stay").getStatus().getSummary()).contains("mumbai:Suspect");
  }

  @Test
  void manualModeWaitsForApprovalThenFailsOver() throws Exception {
    apply("manual", "Manual", 1, null);
    awaitAllActive();
    kill("mumbai");
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                condition(get("manual"), "FailoverRefused")
                    .getReason()
                    .contains("AwaitingApproval"));
    assertThat(table("frankfurt").orElseThrow().regions().get("mumbai").servedBy()).isNull();

    client
        .resources(RegionTopology.class)
        .withName("manual")
        .edit(
            t -> {
              t.getMetadata()
                  .getAnnotations()
                  .put(RegionTopologyReconciler.APPROVE_FAILOVER, "mumbai");
              return t;
            });
    awaitServedBySingapore(System.nanoTime(), new long[REGIONS.size()]);
  }

  @Test
  void aMissingSecretIsAConditionNamingRegionAndFieldAndTheRestIsServed() throws Exception {
    apply(
        "missing-secret",
        "Automatic",
        3,
        "secretRef: {name: redis-frankfurt, namespace: default, key: url}");
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () -> {
              RegionTopology topology = get("missing-secret");
              return topology.getStatus() != null
                  && condition(topology, "Ready").getReason().equals("InvalidRegionConfig");
            });
    assertThat(condition(get("missing-secret"), "Ready").getMessage())
        .contains(
            "region frankfurt: spec.regions[1].redis.secretRef: secret default/redis-frankfurt not"
                + " found");
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                table("mumbai").isPresent()
                    && table("singapore").isPresent()
                    && connections.get("mumbai").sync().get(RedisKeys.lease("mumbai")) != null);
  }

  @Test
  void anOperatorRestartedMidFailoverCompletesItSafely() throws Exception {
    apply("restart", "Automatic", 1, null);
    awaitAllActive();
    long killed = System.nanoTime();
    kill("mumbai");
    // Kill point 1: the region is Suspect.
    await()
        .atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofMillis(20))
        .until(() -> get("restart").getStatus().getSummary().contains("mumbai:Suspect"));
    operator.close();
    operator = new HomeportOperator(client, null, null);
    operator.start();
    // Kill point 2: the region is Fenced, waiting for its lease to run out.
    await()
        .atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofMillis(20))
        .until(() -> get("restart").getStatus().getSummary().contains("mumbai:Fenced"));
    long fencedSeen = System.nanoTime();
    operator.close();
    operator = new HomeportOperator(client, null, null);
    operator.start();

    long[] visible = new long[REGIONS.size()];
    awaitServedBySingapore(killed, visible);
    double afterRestart = (Math.max(visible[1], visible[2]) - fencedSeen) / 1e9;
    System.out.printf(
        "Operator restarted while mumbai was Suspect and again while Fenced: served by singapore"
            + " %.2f s after the second restart%n",
        afterRestart);
    assertThat(afterRestart)
        .as("a restarted operator counts the lease from its start: leaseDuration + skewMargin")
        .isGreaterThanOrEqualTo(3.0);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> get("restart").getStatus().getSummary().contains("mumbai:FailedOver>singapore"));
    assertThat(table("singapore").orElseThrow().epoch())
        .isEqualTo(get("restart").getStatus().getRoutingEpoch());
  }

  @Test
  void tablesNewerThanTheStatusArePublishedPast() {
    // A previous operator published epoch 50 and stopped before its status said so.
    for (String region : REGIONS) {
      connections
          .get(region)
          .sync()
          .set(
              RedisKeys.ROUTING_TABLE,
              ContractJson.write(new RoutingTable(50, 64, Map.of(), List.of(), "earlier")));
    }
    apply("ahead", "Automatic", 1, null);
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                REGIONS.stream()
                    .allMatch(
                        r ->
                            table(r).orElseThrow().epoch() > 50
                                && table(r).orElseThrow().regions().containsKey("mumbai")));
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                get("ahead").getStatus() != null
                    && Long.valueOf(table("mumbai").orElseThrow().epoch())
                        .equals(get("ahead").getStatus().getRoutingEpoch()));
    awaitAllActive();
  }

  private static Condition condition(RegionTopology topology, String type) {
    return topology.getStatus().getConditions().stream()
        .filter(c -> c.getType().equals(type))
        .findFirst()
        .orElseThrow();
  }
}
