package dev.homeport.frontdoor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.homeport.frontdoor.crdt.CounterStore;
import dev.homeport.testkit.ToxiproxyServer;
import eu.rekawek.toxiproxy.Proxy;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * CRDT counters across three real front-doors with three real Redis servers, every cross-region
 * link a Toxiproxy proxy that the test cuts to partition a region.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CrdtReplicationIT {

  private static final List<String> REGIONS = ThreeRegions.REGIONS;

  private ToxiproxyServer toxiproxy;
  private final Map<String, Proxy> links = new LinkedHashMap<>();
  private ThreeRegions regions;
  private final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @BeforeAll
  void start() throws Exception {
    toxiproxy = ToxiproxyServer.start();
    for (String from : REGIONS) {
      for (String to : REGIONS) {
        if (!from.equals(to)) {
          // Upstream set once the front-doors have their ports.
          links.put(from + "->" + to, toxiproxy.link(from + "-to-" + to, 1));
        }
      }
    }
    regions =
        new ThreeRegions(
            region -> {
              StringBuilder yaml =
                  new StringBuilder(
                      """
                      crdt:
                        replicationInterval: 20ms
                        heartbeat: 200ms
                        bounded:
                          - {prefix: "stock:", floor: 0}
                      peers:
                      """);
              for (String peer : REGIONS) {
                if (!peer.equals(region)) {
                  yaml.append("  ")
                      .append(peer)
                      .append(": http://127.0.0.1:")
                      .append(ToxiproxyServer.listenPort(links.get(region + "->" + peer)))
                      .append('\n');
                }
              }
              return yaml.toString();
            });
    for (Map.Entry<String, Proxy> link : links.entrySet()) {
      String to = link.getKey().substring(link.getKey().indexOf("->") + 2);
      link.getValue().setUpstream("127.0.0.1:" + regions.frontDoors.get(to).publicPort());
    }
  }

  @AfterAll
  void stop() throws Exception {
    if (regions != null) {
      regions.close();
    }
    if (toxiproxy != null) {
      toxiproxy.close();
    }
  }

  /** Cuts (or restores) every link into and out of {@code region}. */
  private void partition(String region, boolean cut) throws IOException {
    for (Map.Entry<String, Proxy> link : links.entrySet()) {
      if (link.getKey().startsWith(region + "->") || link.getKey().endsWith("->" + region)) {
        if (cut) {
          link.getValue().disable();
        } else {
          link.getValue().enable();
        }
      }
    }
  }

  private JsonObject call(String region, String method, String path, String body) throws Exception {
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(URI.create(regions.publicUrl(region) + path))
                .timeout(Duration.ofSeconds(10))
                .method(
                    method,
                    body == null
                        ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    JsonObject json = new JsonObject(response.body());
    return json.put("status", response.statusCode());
  }

  private JsonObject increment(String region, String counter, long delta) throws Exception {
    return call(
        region, "POST", "/v1/counters/" + counter + ":increment", "{\"delta\": " + delta + "}");
  }

  private long value(String region, String counter) throws Exception {
    return call(region, "GET", "/v1/counters/" + counter, null).getLong("value");
  }

  @Test
  void aPartitionedRegionKeepsCountingAndEveryRegionReachesTheExactTotalAfterHealing()
      throws Exception {
    List<String> counters = List.of("likes", "views", "downloads");
    Map<String, AtomicLong> acknowledged = new ConcurrentHashMap<>();
    counters.forEach(c -> acknowledged.put(c, new AtomicLong()));
    Map<String, AtomicLong> singaporeOnly = new ConcurrentHashMap<>();
    counters.forEach(c -> singaporeOnly.put(c, new AtomicLong()));

    // Replication works before the cut.
    increment("mumbai", "likes", 10);
    acknowledged.get("likes").addAndGet(10);
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> value("singapore", "likes") == 10 && value("frankfurt", "likes") == 10);

    partition("singapore", true);
    ExecutorService clients = Executors.newFixedThreadPool(12);
    List<Future<Integer>> workers = new ArrayList<>();
    for (String region : REGIONS) {
      for (int w = 0; w < 4; w++) {
        long seed = region.hashCode() * 31L + w;
        workers.add(
            clients.submit(
                () -> {
                  Random random = new Random(seed);
                  int failures = 0;
                  for (int i = 0; i < 250; i++) {
                    String counter = counters.get(random.nextInt(counters.size()));
                    long delta = random.nextInt(16) - 5;
                    if (delta == 0) {
                      delta = 1;
                    }
                    JsonObject reply = increment(region, counter, delta);
                    if (reply.getInteger("status") == 200) {
                      acknowledged.get(counter).addAndGet(delta);
                      if (region.equals("singapore")) {
                        singaporeOnly.get(counter).addAndGet(delta);
                      }
                    } else {
                      failures++;
                    }
                  }
                  return failures;
                }));
      }
    }
    for (Future<Integer> worker : workers) {
      assertThat(worker.get()).as("increments refused").isZero();
    }
    clients.shutdown();

    // Cut off, Singapore sees its own increments and nothing else from the partition.
    for (String counter : counters) {
      long expected = singaporeOnly.get(counter).get() + (counter.equals("likes") ? 10 : 0);
      assertThat(value("singapore", counter)).as("singapore's " + counter).isEqualTo(expected);
    }

    long healed = System.nanoTime();
    partition("singapore", false);
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(10))
        .until(
            () -> {
              for (String region : REGIONS) {
                for (String counter : counters) {
                  if (value(region, counter) != acknowledged.get(counter).get()) {
                    return false;
                  }
                }
              }
              return true;
            });
    long convergedMillis = (System.nanoTime() - healed) / 1_000_000;
    System.out.printf(
        "CRDT partition test: 3,000 increments over %d counters in 3 regions, singapore cut off;"
            + " all regions exact %s %d ms after healing%n",
        counters.size(), acknowledged, convergedMillis);
    for (String region : REGIONS) {
      for (String counter : counters) {
        assertThat(value(region, counter))
            .as(region + "'s " + counter + ": zero lost, zero double-counted")
            .isEqualTo(acknowledged.get(counter).get());
      }
    }
  }

  @Test
  void concurrentOrdersInTwoRegionsOversellAndLeaveOneCompensationEvent() throws Exception {
    String sku = "stock:sku-42";
    assertThat(increment("mumbai", sku, 3).getInteger("status")).isEqualTo(200);
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> value("singapore", sku) == 3 && value("frankfurt", sku) == 3);

    // Mumbai and Singapore both see 3 in stock and each sells 2 before hearing of the other.
    partition("singapore", true);
    try {
      for (int order = 0; order < 2; order++) {
        assertThat(increment("mumbai", sku, -1).getInteger("status")).isEqualTo(200);
        assertThat(increment("singapore", sku, -1).getInteger("status")).isEqualTo(200);
      }
      JsonObject refused = increment("mumbai", sku, -2);
      assertThat(refused.getInteger("status")).as("mumbai knows it has 1 left").isEqualTo(409);
    } finally {
      partition("singapore", false);
    }

    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> REGIONS.stream().allMatch(r -> uncheckedValue(r, sku) == -1));
    for (String region : REGIONS) {
      JsonObject counter = call(region, "GET", "/v1/counters/" + sku, null);
      assertThat(counter.getLong("oversold")).as(region).isEqualTo(1);
      assertThat(counter.getString("compensationStream"))
          .isEqualTo(CounterStore.compensationStream(sku));
    }
    // One region (the first by name, frankfurt) records the compensation, once.
    String stream = CounterStore.compensationStream(sku);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> regions.connections.get("frankfurt").sync().xlen(stream) == 1);
    var event =
        regions
            .connections
            .get("frankfurt")
            .sync()
            .xrange(stream, io.lettuce.core.Range.create("-", "+"))
            .get(0)
            .getBody();
    assertThat(event)
        .containsEntry("counter", sku)
        .containsEntry("compensate", "1")
        .containsEntry("value", "-1")
        .containsEntry("detectedBy", "frankfurt");
    assertThat(new JsonObject(event.get("vector")).getMap())
        .containsEntry("mumbai:p", 3)
        .containsEntry("mumbai:n", 2)
        .containsEntry("singapore:n", 2);
    assertThat(regions.connections.get("mumbai").sync().xlen(stream)).isZero();
    assertThat(regions.connections.get("singapore").sync().xlen(stream)).isZero();
    System.out.println(
        "Inventory scenario: stock 3, 2 + 2 sold in two regions; compensation: " + event);
  }

  private long uncheckedValue(String region, String counter) {
    try {
      return value(region, counter);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
