package dev.homeport.frontdoor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.homeport.frontdoor.config.FrontDoorConfig;
import dev.homeport.testkit.RedisServer;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class GracefulShutdownIT {

  @Test
  void stopLetsAnInFlightRequestFinishThenRefusesNewOnes() throws Exception {
    Vertx vertx = Vertx.vertx();
    CountDownLatch arrived = new CountDownLatch(1);
    try (RedisServer redis = RedisServer.start()) {
      HttpServer slowBackend =
          vertx
              .createHttpServer()
              .requestHandler(
                  request -> {
                    arrived.countDown();
                    vertx.setTimer(700, id -> request.response().end("finished"));
                  })
              .listen(0, "127.0.0.1")
              .await();
      FrontDoorConfig config =
          FrontDoorConfig.parse(
              """
              region: mumbai
              redis: {uri: %s}
              backend: http://127.0.0.1:%d
              listen: {host: 127.0.0.1, public: 0, admin: 0}
              routingKey: {from: header, name: X-User-Id}
              routes:
                - {name: feed, path: /feed, policy: local, noKey: local}
              timeouts: {drain: 5s}
              secrets: {internal: drain-internal-secret, admin: drain-admin-token-01}
              """
                  .formatted(redis.uri(), slowBackend.actualPort()),
              Map.of());
      FrontDoor frontDoor = FrontDoor.start(vertx, config).await();
      URI feed = URI.create("http://127.0.0.1:" + frontDoor.publicPort() + "/feed");
      // HTTP/1.1: JDK 17's client fails in-flight HTTP/2 streams on GOAWAY, even graceful ones.
      HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

      CompletableFuture<HttpResponse<String>> inFlight =
          http.sendAsync(
              HttpRequest.newBuilder(feed).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(arrived.await(5, TimeUnit.SECONDS)).isTrue();
      CompletableFuture<Void> stopped = frontDoor.stop().toCompletionStage().toCompletableFuture();

      HttpResponse<String> response = inFlight.get(5, TimeUnit.SECONDS);
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.body()).isEqualTo("finished");
      stopped.get(10, TimeUnit.SECONDS);
      assertThatThrownBy(
              () ->
                  HttpClient.newBuilder()
                      .version(HttpClient.Version.HTTP_1_1)
                      .build()
                      .send(
                          HttpRequest.newBuilder(feed).build(),
                          HttpResponse.BodyHandlers.ofString()))
          .isInstanceOf(ConnectException.class);
    } finally {
      vertx.close().await();
    }
  }
}
