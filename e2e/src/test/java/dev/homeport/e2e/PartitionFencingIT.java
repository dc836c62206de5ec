package dev.homeport.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.homeport.contract.KeyHash;
import dev.homeport.crds.v1alpha1.RegionTopology;
import dev.homeport.frontdoor.FrontDoor;
import dev.homeport.frontdoor.config.FrontDoorConfig;
import dev.homeport.operator.HomeportOperator;
import dev.homeport.testkit.CommandResult;
import dev.homeport.testkit.KubeApiServerExtension;
import dev.homeport.testkit.ProjectPaths;
import dev.homeport.testkit.RedisServer;
import dev.homeport.testkit.TestKubeApiServer;
import dev.homeport.testkit.ToxiproxyServer;
import eu.rekawek.toxiproxy.Proxy;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A partition between the operator and one region that stays up: the operator can no longer renew
 * the region's lease, so the region's own front-door fences its writes, and only after that does a
 * peer serve its keys. Real kube-apiserver, operator, three front-doors, three redis-servers, and
 * Toxiproxy on the operator's links to mumbai; every write a backend applied is recorded.
 */
@ExtendWith(KubeApiServerExtension.class)
class PartitionFencingIT {

  private static final List<String> REGIONS = List.of("mumbai", "frankfurt", "singapore");
  private static final int BUCKETS = 64;
  private static final String SECRET = "partition-internal-secret";

  /** A write as a region's backend applied it. */
  record Applied(String region, String key, long atNanos) {}

  @Test
  void thePartitionedRegionFencesItsWritesBeforeAPeerServesItsKeys(TestKubeApiServer apiServer)
      throws Exception {
    KubernetesClient client = apiServer.client();
    CommandResult crds =
        apiServer.kubectl("apply", "-f", ProjectPaths.root().resolve("crds").toString());
    assertThat(crds.exitCode()).as(crds.toString()).isZero();
    apiServer.kubectl(
        "wait",
        "--for=condition=Established",
        "--timeout=60s",
        "crd/regiontopologies.homeport.dev");

    Vertx vertx = Vertx.vertx();
    ConcurrentLinkedQueue<Applied> applied = new ConcurrentLinkedQueue<>();
    Map<String, RedisServer> redis = new LinkedHashMap<>();
    Map<String, FrontDoor> frontDoors = new LinkedHashMap<>();
    HomeportOperator operator = null;
    try (ToxiproxyServer toxiproxy = ToxiproxyServer.start()) {
      for (String region : REGIONS) {
        redis.put(region, RedisServer.start());
        HttpServer backend =
            vertx
                .createHttpServer()
                .requestHandler(
                    request -> {
                      if (!request.method().name().equals("GET")) {
                        applied.add(
                            new Applied(region, request.getHeader("X-User-Id"), System.nanoTime()));
                      }
                      request.response().end(region);
                    })
                .listen(0, "127.0.0.1")
                .await();
        FrontDoorConfig config =
            FrontDoorConfig.parse(
                """
                region: %s
                redis: {uri: %s}
                backend: http://127.0.0.1:%d
                listen: {host: 127.0.0.1, public: 0, admin: 0}
                routingKey: {from: header, name: X-User-Id}
                routes:
                  - {name: orders, path: /orders, policy: home, onHomeDown: peer}
                routingTable: {pollInterval: 200ms}
                secrets: {internal: %s, admin: partition-admin-token}
                """
                    .formatted(region, redis.get(region).uri(), backend.actualPort(), SECRET),
                Map.of());
        frontDoors.put(region, FrontDoor.start(vertx, config).await());
      }
      // The operator reaches mumbai only through these two links.
      Proxy mumbaiRedis = toxiproxy.link("operator-mumbai-redis", redis.get("mumbai").port());
      Proxy mumbaiAdmin =
          toxiproxy.link("operator-mumbai-admin", frontDoors.get("mumbai").adminPort());
      client.resource(topology(redis, frontDoors, mumbaiRedis, mumbaiAdmin)).serverSideApply();
      operator = new HomeportOperator(client, null, null);
      operator.start();

      List<String> keys = new ArrayList<>();
      for (int i = 0; keys.size() < 12; i++) {
        String key = "user-" + i;
        if (KeyHash.bucket(key, BUCKETS) < BUCKETS / 3) { // buckets 0-20 are mumbai's
          keys.add(key);
        }
      }
      HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      URI entry =
          URI.create("http://127.0.0.1:" + frontDoors.get("frankfurt").publicPort() + "/orders");
      await().atMost(Duration.ofSeconds(30)).until(() -> write(http, entry, keys.get(0)) == 200);

      // Writers enter through frankfurt for keys homed in mumbai, before, during and after.
      long loadEnd = System.nanoTime() + Duration.ofSeconds(12).toNanos();
      ExecutorService writers = Executors.newFixedThreadPool(4);
      List<Future<int[]>> results = new ArrayList<>();
      for (int w = 0; w < 4; w++) {
        int offset = w;
        results.add(
            writers.submit(
                () -> {
                  int ok = 0;
                  int refused = 0;
                  for (int i = offset; System.nanoTime() < loadEnd; i += 4) {
                    if (write(http, entry, keys.get(i % keys.size())) == 200) {
                      ok++;
                    } else {
                      refused++;
                    }
                    Thread.sleep(5); // pacing: about 200 writes per second per writer
                  }
                  return new int[] {ok, refused};
                }));
      }
      // Cut once mumbai has been taking the load for a while.
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> applied.stream().filter(a -> a.region().equals("mumbai")).count() >= 200);
      long cut = System.nanoTime();
      mumbaiRedis.disable();
      mumbaiAdmin.disable();
      int ok = 0;
      int refused = 0;
      for (Future<int[]> result : results) {
        ok += result.get()[0];
        refused += result.get()[1];
      }
      writers.shutdown();

      long lastAtMumbai = Long.MIN_VALUE;
      long firstAtSingapore = Long.MAX_VALUE;
      for (Applied write : applied) {
        if (!keys.contains(write.key())) {
          continue;
        }
        if (write.region().equals("mumbai")) {
          lastAtMumbai = Math.max(lastAtMumbai, write.atNanos());
        } else if (write.region().equals("singapore")) {
          firstAtSingapore = Math.min(firstAtSingapore, write.atNanos());
        } else {
          throw new AssertionError("frankfurt applied a write for mumbai's key " + write.key());
        }
      }
      System.out.printf(
          "Partition of mumbai from the operator: %d writes acknowledged, %d refused; mumbai's"
              + " last write %.2f s after the cut, singapore's first %.2f s after it: %.0f ms"
              + " with no home taking writes, no overlap%n",
          ok,
          refused,
          (lastAtMumbai - cut) / 1e9,
          (firstAtSingapore - cut) / 1e9,
          (firstAtSingapore - lastAtMumbai) / 1e6);
      assertThat(firstAtSingapore)
          .as("singapore took over mumbai's keys")
          .isLessThan(Long.MAX_VALUE);
      assertThat(lastAtMumbai)
          .as("mumbai took writes before the cut")
          .isGreaterThan(cut - 3_000_000_000L);
      assertThat(lastAtMumbai)
          .as("mumbai fenced itself before singapore served a single write: no split-brain")
          .isLessThan(firstAtSingapore);
      assertThat(
              client
                  .resources(RegionTopology.class)
                  .withName("partition")
                  .get()
                  .getStatus()
                  .getSummary())
          .contains("mumbai:FailedOver>singapore");
    } finally {
      if (operator != null) {
        operator.close();
      }
      for (FrontDoor frontDoor : frontDoors.values()) {
        frontDoor.stop().await();
      }
      redis.values().forEach(RedisServer::close);
      vertx.close().await();
    }
  }

  private static int write(HttpClient http, URI entry, String key) {
    try {
      return http.send(
              HttpRequest.newBuilder(entry)
                  .timeout(Duration.ofSeconds(5))
                  .header("X-User-Id", key)
                  .POST(HttpRequest.BodyPublishers.ofString("{}"))
                  .build(),
              HttpResponse.BodyHandlers.discarding())
          .statusCode();
    } catch (Exception e) {
      return -1;
    }
  }

  private static String topology(
      Map<String, RedisServer> redis,
      Map<String, FrontDoor> frontDoors,
      Proxy mumbaiRedis,
      Proxy mumbaiAdmin) {
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
    StringBuilder yaml =
        new StringBuilder(
            """
            apiVersion: homeport.dev/v1alpha1
            kind: RegionTopology
            metadata:
              name: partition
            spec:
              regions:
            """);
    for (String region : REGIONS) {
      boolean cut = region.equals("mumbai");
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
                failoverPeers: %s
          """
              .formatted(
                  region,
                  residency.get(region),
                  accepts.get(region),
                  frontDoors.get(region).publicPort(),
                  cut
                      ? ToxiproxyServer.listenPort(mumbaiAdmin)
                      : frontDoors.get(region).adminPort(),
                  cut ? ToxiproxyServer.listenPort(mumbaiRedis) : redis.get(region).port(),
                  peers.get(region)));
    }
    yaml.append(
        """
          placement:
            buckets: %d
          failover:
            mode: Automatic
            leaseDuration: 2s
            probeInterval: 500ms
            failureThreshold: 3
            skewMargin: 1s
            minActiveRegions: 1
        """
            .formatted(BUCKETS));
    return yaml.toString();
  }
}
