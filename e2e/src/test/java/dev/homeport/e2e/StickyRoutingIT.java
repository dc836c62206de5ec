package dev.homeport.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.homeport.e2e.history.CheckResult;
import dev.homeport.e2e.history.HistoryChecker;
import dev.homeport.e2e.history.Timeline;
import dev.homeport.e2e.report.Scenario;
import dev.homeport.e2e.report.ScenarioReport;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Sticky routing on the local system: a key's writes, wherever they enter, are served by its home,
 * after exactly one cross-region hop when they enter elsewhere; reads and writes under load lose
 * nothing, double nothing and read nothing stale.
 */
class StickyRoutingIT extends LocalSystemScenario {

  @Test
  void everyKeyIsServedByItsHomeAfterExactlyOneHop() {
    Scenario scenario = ScenarioReport.shared().scenario("Sticky routing: exactly one hop");
    int rounds = 15;
    for (String home : system.regionNames()) {
      String key = system.keysHomedIn(home, "sticky-", 1).get(0);
      for (String entry : system.regionNames()) {
        List<Double> latencies = new ArrayList<>();
        for (int i = 0; i < rounds; i++) {
          String id = "sticky-" + entry + "-" + key + "-" + i;
          long start = System.nanoTime();
          HttpResponse<String> response = system.write(entry, key, id);
          latencies.add((System.nanoTime() - start) / 1e6);
          assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
          assertThat(response.headers().firstValue("X-Homeport-Region")).hasValue(home);
          assertThat(response.headers().firstValue("X-Homeport-Served"))
              .hasValue(entry.equals(home) ? "local" : "proxied");
          assertThat(system.backends().applied(id).region()).isEqualTo(home);
        }
        latencies.sort(Double::compare);
        double p50 = latencies.get(latencies.size() / 2);
        double rtt = entry.equals(home) ? 0 : Scenarios.millis(FaultLayer.rtt(entry, home));
        scenario.figure(
            entry + " -> " + home, String.format("p50 %.1f ms (round trip %.0f ms)", p50, rtt));
        // One hop costs one round trip between entry and home; a second hop would cost at least
        // one more round trip (70 ms or more here).
        assertThat(p50).as(entry + " -> " + home).isGreaterThanOrEqualTo(rtt * 0.9);
        assertThat(p50).as(entry + " -> " + home).isLessThan(rtt + 60);
      }
    }
    scenario.done();
  }

  @Test
  void readsAndWritesUnderLoadAreExact() throws Exception {
    Scenario scenario = ScenarioReport.shared().scenario("Sticky routing under load");
    List<String> keys = new ArrayList<>();
    for (String home : system.regionNames()) {
      keys.addAll(system.keysHomedIn(home, "load-" + home + "-", 20));
    }
    long start = System.nanoTime();
    try (ClientLoad load =
        new ClientLoad(
            system.history(),
            Scenarios.entries(system, system.regionNames()),
            keys,
            24,
            ClientLoad.Mix.withReads(0.3),
            Duration.ofMillis(5),
            Duration.ofSeconds(40))) {
      // Two requests in three cross a region (70-160 ms round trips): about 200 per second.
      org.awaitility.Awaitility.await()
          .atMost(Duration.ofSeconds(40))
          .until(() -> load.acknowledged() >= 2000);
    }
    CheckResult result =
        HistoryChecker.check(
            system.history(), HistoryChecker.Policy.strict(LocalSystem.FAST_LEASE_AND_SKEW));
    Timeline timeline =
        Timeline.of(
            system.history().ops().stream().filter(op -> op.startNanos() >= start).toList());
    scenario.figure(
        "requests per second",
        timeline.slices().stream().mapToInt(Timeline.Slice::acknowledgedTotal).sum()
            / ((timeline.endNanos() - timeline.originNanos()) / 1e9),
        "req/s");
    scenario.check(result).timeline(timeline).done();
    assertThat(result.acknowledgedWrites()).isGreaterThan(1200);
    assertThat(result.acknowledgedReads()).isGreaterThan(400);
    assertThat(result.clean()).as(result.summary()).isTrue();
    assertThat(timeline.windows()).as("no request was refused").isEmpty();
  }
}
