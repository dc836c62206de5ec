package dev.homeport.frontdoor.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.homeport.contract.BucketAssignment;
import dev.homeport.contract.ContractJson;
import dev.homeport.contract.RedisKeys;
import dev.homeport.contract.RegionRoute;
import dev.homeport.contract.RoutingTable;
import dev.homeport.crds.v1alpha1.status.RegionPhase;
import dev.homeport.frontdoor.FrontDoor;
import dev.homeport.frontdoor.config.FrontDoorConfig;
import dev.homeport.testkit.RedisServer;
import io.lettuce.core.RedisClient;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

/**
 * Throughput and added latency of the front-door's local-home path against the same backend reached
 * directly, measured in one run with the same in-process load generator. Not a timed test: it
 * prints figures; the only assertions are that every request succeeded.
 *
 * <p>Run: {@code mvn -pl frontdoor -am verify -Pbench -Dit.test=ProxyOverheadBenchmark
 * -Dfailsafe.failIfNoSpecifiedTests=false}
 */
class ProxyOverheadBenchmark {

  private static final int CONNECTIONS = 32;
  private static final Duration WARMUP = Duration.ofSeconds(3);
  private static final Duration MEASURE = Duration.ofSeconds(10);

  record Result(String name, long requests, long errors, double seconds, Histogram latency) {
    double rate() {
      return requests / seconds;
    }

    double micros(double percentile) {
      return latency.getValueAtPercentile(percentile) / 1_000.0;
    }
  }

  @Test
  void localProxyingAgainstDirect() throws Exception {
    Vertx vertx = Vertx.vertx();
    try (RedisServer redis = RedisServer.start()) {
      HttpServer backend =
          vertx
              .createHttpServer()
              .requestHandler(r -> r.response().putHeader("Content-Type", "text/plain").end("ok"))
              .listen(0, "127.0.0.1")
              .await();
      FrontDoorConfig config =
          FrontDoorConfig.parse(
              """
              region: bench
              redis: {uri: %s}
              backend: http://127.0.0.1:%d
              listen: {host: 127.0.0.1, public: 0, admin: 0}
              routingKey: {from: header, name: X-User-Id}
              routes:
                - {name: orders, path: /orders, policy: home}
              lease: {required: false}
              secrets: {internal: bench-internal-secret, admin: bench-admin-token-1}
              """
                  .formatted(redis.uri(), backend.actualPort()),
              Map.of());
      FrontDoor frontDoor = FrontDoor.start(vertx, config).await();
      RedisClient client = RedisClient.create(redis.uri());
      try (var connection = client.connect()) {
        String url = "http://127.0.0.1:" + frontDoor.publicPort();
        connection
            .sync()
            .set(
                RedisKeys.ROUTING_TABLE,
                ContractJson.write(
                    new RoutingTable(
                        1,
                        16,
                        Map.of("bench", new RegionRoute(RegionPhase.Active, null, url, "x")),
                        List.of(new BucketAssignment(0, 15, "bench")),
                        "now")));
        connection.sync().publish(RedisKeys.ROUTING_CHANNEL, "1");
      } finally {
        client.shutdown();
      }

      HttpClientAgent load =
          vertx
              .httpClientBuilder()
              .with(new HttpClientOptions().setKeepAlive(true))
              .with(new PoolOptions().setHttp1MaxSize(CONNECTIONS))
              .build();
      List<Result> results =
          List.of(
              run(load, "direct to backend", backend.actualPort()),
              run(load, "via front-door (local home)", frontDoor.publicPort()),
              run(load, "direct to backend (again)", backend.actualPort()));
      print(results);
      for (Result result : results) {
        assertThat(result.errors()).as(result.name()).isZero();
        assertThat(result.requests()).as(result.name()).isPositive();
      }
      frontDoor.stop().await();
    } finally {
      vertx.close().await();
    }
  }

  private static Result run(HttpClientAgent client, String name, int port) throws Exception {
    drive(client, port, WARMUP, new Histogram(3));
    Histogram latency = new Histogram(60_000_000_000L, 3);
    long start = System.nanoTime();
    ClosedLoops.Counts counts = drive(client, port, MEASURE, latency);
    return new Result(
        name, counts.ok(), counts.errors(), (System.nanoTime() - start) / 1e9, latency);
  }

  /** CONNECTIONS closed loops of {@code GET /orders/1}, one routing key per loop. */
  private static ClosedLoops.Counts drive(
      HttpClientAgent client, int port, Duration length, Histogram latency) throws Exception {
    return ClosedLoops.drive(
        client,
        CONNECTIONS,
        length,
        i ->
            new RequestOptions()
                .setMethod(HttpMethod.GET)
                .setHost("127.0.0.1")
                .setPort(port)
                .setURI("/orders/1")
                .putHeader("X-User-Id", "user-" + i),
        null,
        latency);
  }

  private static void print(List<Result> results) {
    StringBuilder out = new StringBuilder();
    out.append(
        String.format(
            Locale.ROOT,
            "%nProxy overhead: %d connections, %ds per run, load generator in the same JVM, %d"
                + " cores%n",
            CONNECTIONS,
            MEASURE.toSeconds(),
            Runtime.getRuntime().availableProcessors()));
    out.append(
        String.format(
            Locale.ROOT,
            "%-30s %12s %10s %10s %10s %8s%n",
            "path",
            "requests/s",
            "p50 µs",
            "p99 µs",
            "p99.9 µs",
            "errors"));
    for (Result r : results) {
      out.append(
          String.format(
              Locale.ROOT,
              "%-30s %12.0f %10.0f %10.0f %10.0f %8d%n",
              r.name(),
              r.rate(),
              r.micros(50),
              r.micros(99),
              r.micros(99.9),
              r.errors()));
    }
    Result direct = results.get(0);
    Result proxied = results.get(1);
    out.append(
        String.format(
            Locale.ROOT,
            "front-door/direct throughput ratio: %.2f; added latency p50 %+.0f µs, p99 %+.0f µs%n",
            proxied.rate() / direct.rate(),
            proxied.micros(50) - direct.micros(50),
            proxied.micros(99) - direct.micros(99)));
    System.out.print(out);
  }
}
