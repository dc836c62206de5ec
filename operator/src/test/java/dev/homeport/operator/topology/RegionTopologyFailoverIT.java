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
import dev.homeport.testkit.CommandResult;
import dev.homeport.testkit.KubeApiServerExtension;
import dev.homeport.testkit.ProjectPaths;
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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The operator against a real kube-apiserver, three real redis-servers and three HTTP health
 * endpoints standing in for the regions' front-doors.
 */
@ExtendWith(KubeApiServerExtension.class)
class RegionTopologyFailoverIT {

  private static final List<String> REGIONS = List.of("mumbai", "frankfurt", "singapore");

  private static KubernetesClient client;
  private static HomeportOperator operator;
  private static final Map<String, RedisServer> redis = new LinkedHashMap<>();
  private static final Map<String, RedisClient> redisClients = new LinkedHashMap<>();
  private static final Map<String, StatefulRedisConnection<String, String>> connections =
      new LinkedHashMap<>();
  private static final Map<String, HttpServer> health = new LinkedHashMap<>();

  @BeforeAll
  static void start(TestKubeApiServer apiServer) throws Exception {
    client = apiServer.client();
    expectSuccess(apiServer.kubectl("apply", "-f", ProjectPaths.root().resolve("crds").toString()));
    expectSuccess(
        apiServer.kubectl(
            "wait",
            "--for=condition=Established",
            "--timeout=60s",
            "crd/regiontopologies.homeport.dev"));
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

  @AfterAll
  static void stop() {
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

  private static String topology(String name, String mode, int minActive) {
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
      yaml.append(
          """
              - name: %s
                residency: %s
                acceptsResidency: %s
                frontDoor:
                  url: http://127.0.0.1:1%d
                  adminUrl: http://127.0.0.1:%d
                redis:
                  url: %s
                failoverPeers: %s
                capacityWeight: %d
          """
              .formatted(
                  region,
                  residency.get(region),
                  accepts.get(region),
                  REGIONS.indexOf(region),
                  health.get(region).getAddress().getPort(),
                  redis.get(region).uri(),
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
    return yaml.toString();
  }

  private static Optional<RoutingTable> table(String region) {
    String json = connections.get(region).sync().get(RedisKeys.ROUTING_TABLE);
    return Optional.ofNullable(json).map(j -> ContractJson.read(j, RoutingTable.class));
  }

  private static RegionTopology get(String name) {
    return client.resources(RegionTopology.class).withName(name).get();
  }

  @Test
  void aKilledRegionFailsOverToItsPeerWithinFiveSeconds() throws Exception {
    client.resource(topology("global", "Automatic", 1)).serverSideApply();
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
    RegionTopology ready = get("global");
    assertThat(ready.getStatus().getSummary())
        .isEqualTo("mumbai:Active frankfurt:Active singapore:Active");
    assertThat(condition(ready, "Ready").getStatus()).isEqualTo("True");

    long killed = System.nanoTime();
    health.get("mumbai").stop(0);
    redis.get("mumbai").kill();

    long[] visible = new long[REGIONS.size()];
    await()
        .atMost(Duration.ofSeconds(20))
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
    double seconds = (Math.max(visible[1], visible[2]) - killed) / 1e9;
    System.out.printf(
        "Failover: mumbai killed -> routing table with mumbai served by singapore visible in"
            + " frankfurt after %.2f s, singapore after %.2f s (leaseDuration 2s, probeInterval"
            + " 500ms, failureThreshold 3, skewMargin 1s)%n",
        (visible[1] - killed) / 1e9, (visible[2] - killed) / 1e9);
    assertThat(seconds).isLessThan(5.0);

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
        .contains("FailedOver");
  }

  private static Condition condition(RegionTopology topology, String type) {
    return topology.getStatus().getConditions().stream()
        .filter(c -> c.getType().equals(type))
        .findFirst()
        .orElseThrow();
  }

  private static void expectSuccess(CommandResult result) {
    assertThat(result.exitCode()).as(result.toString()).isZero();
  }
}
