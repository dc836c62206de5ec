package dev.homeport.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.homeport.e2e.report.Scenario;
import dev.homeport.e2e.report.ScenarioReport;
import dev.homeport.testkit.ProjectPaths;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Last-writer-wins registers with one region's clock running ahead: singapore's front-door runs 800
 * ms in the future (libfaketime), inside the topology's skew margin. Writes alternate between
 * mumbai and singapore, each made after the previous one had time to replicate; with hybrid logical
 * clocks every later write wins everywhere, although mumbai's wall clock is behind the stamps of
 * singapore's earlier writes. Plain wall-clock last-writer-wins would lose mumbai's writes.
 */
class ClockSkewIT extends LocalSystemScenario {

  private static final Duration SKEW = Duration.ofMillis(800);

  private final HttpClient http = HttpClient.newHttpClient();

  @Override
  protected LocalSystem startSystem() {
    return LocalSystem.start(
        LocalSystem.Options.scenario(
                ProjectPaths.root().resolve("e2e/target/local-ClockSkewIT"),
                LocalSystem.fastFailover())
            .withClockSkew("singapore", SKEW));
  }

  @Test
  void laterWritesWinEverywhereDespiteTheSkewedClock() throws Exception {
    Scenario scenario =
        ScenarioReport.shared().scenario("LWW registers with singapore's clock 800 ms ahead");
    int writes = 20;
    List<Long> convergence = new ArrayList<>();
    int behindSingapore = 0;
    long lastSingaporeStamp = 0;
    for (int i = 0; i < writes; i++) {
      String region = i % 2 == 0 ? "singapore" : "mumbai";
      String value = region + "-" + i;
      JsonObject written = put(region, "profile:alice", value);
      long physical = written.getJsonObject("timestamp").getLong("physical");
      if (region.equals("singapore")) {
        lastSingaporeStamp = physical;
      } else if (System.currentTimeMillis() < lastSingaporeStamp) {
        behindSingapore++; // mumbai's wall clock had not reached singapore's last stamp yet
      }
      long written0 = System.nanoTime();
      await()
          .atMost(Duration.ofSeconds(5))
          .pollInterval(Duration.ofMillis(5))
          .until(
              () ->
                  system.regionNames().stream()
                      .allMatch(r -> value.equals(get(r, "profile:alice").getString("value"))));
      convergence.add((System.nanoTime() - written0) / 1_000_000);
    }
    convergence.sort(Long::compare);
    scenario
        .figure("writes, alternating mumbai and singapore", Integer.toString(writes))
        .figure(
            "mumbai writes made while its clock was behind singapore's last stamp",
            Integer.toString(behindSingapore))
        .figure("every region showing the latest write, p50", convergence.get(writes / 2), "ms")
        .figure("every region showing the latest write, max", convergence.get(writes - 1), "ms")
        .done();
    assertThat(behindSingapore)
        .as("the skew was real: mumbai wrote while its wall clock was behind singapore's stamps")
        .isGreaterThan(0);
  }

  private JsonObject put(String region, String register, String value) throws Exception {
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(
                    URI.create(system.region(region).url() + "/v1/registers/" + register))
                .header("Content-Type", "application/json")
                .PUT(
                    HttpRequest.BodyPublishers.ofString(
                        new JsonObject().put("value", value).encode()))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return new JsonObject(response.body());
  }

  private JsonObject get(String region, String register) {
    try {
      HttpResponse<String> response =
          http.send(
              HttpRequest.newBuilder(
                      URI.create(system.region(region).url() + "/v1/registers/" + register))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      return response.statusCode() == 200 ? new JsonObject(response.body()) : new JsonObject();
    } catch (Exception e) {
      return new JsonObject();
    }
  }
}
