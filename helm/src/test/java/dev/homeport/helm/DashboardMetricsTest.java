package dev.homeport.helm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.homeport.testkit.ProjectPaths;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every series the Grafana dashboard queries is one the front-door or the operator exposes, with
 * the labels it filters and groups by. The meters are read from the modules' main sources (name,
 * type, tag keys), registered in a real Prometheus registry, and the names it exposes (with their
 * {@code _total}, {@code _seconds_bucket}, … suffixes) are what the queries are checked against.
 */
class DashboardMetricsTest {

  /** Labels Prometheus adds to every scraped series (the ServiceMonitor's target labels). */
  private static final Set<String> TARGET_LABELS =
      Set.of("namespace", "pod", "instance", "job", "service", "container", "endpoint");

  private static final Pattern BUILDER =
      Pattern.compile(
          "\\b(Counter|Timer|Gauge|DistributionSummary)\\.builder\\(\\s*\"(homeport\\.[a-z.]+)\"(.*?)\\.register\\(",
          Pattern.DOTALL);
  private static final Pattern TAG = Pattern.compile("\\.tag\\(\\s*\"([a-zA-Z_]+)\"");
  private static final Pattern REGISTRY_COUNTER =
      Pattern.compile("\\.counter\\(\\s*\"(homeport\\.[a-z.]+)\"((?:\\s*,\\s*\"[^\"]*\")*)\\s*\\)");
  private static final Pattern CACHE_METRICS =
      Pattern.compile("CaffeineCacheMetrics\\.monitor\\([^;]*?\"([a-z.]+)\"\\s*\\)");
  private static final Pattern METRIC_IN_QUERY =
      Pattern.compile("\\b((?:homeport|cache)_[a-z0-9_]+)(\\{[^}]*\\})?");
  private static final Pattern MATCHER = Pattern.compile("([a-zA-Z_]+)\\s*(?:=~|!~|!=|=)");
  private static final Pattern GROUPING = Pattern.compile("\\bby\\s*\\(([^)]*)\\)");

  /** Exposed series name → its label names. */
  private static Map<String, Set<String>> exposed;

  private static JsonNode dashboard;

  @BeforeAll
  static void exposeTheCodesMeters() throws IOException {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    List<String> registered = new ArrayList<>();
    for (String module : List.of("frontdoor", "operator")) {
      for (String source : sources(ProjectPaths.root().resolve(module + "/src/main/java"))) {
        registered.addAll(registerMeters(source, registry));
      }
    }
    assertThat(registered).as("meters found in the sources").hasSizeGreaterThan(20);
    exposed = parseScrape(registry.scrape());
    dashboard =
        new ObjectMapper()
            .readTree(Files.readString(Helm.chart().resolve("dashboards/homeport.json")));
  }

  @Test
  void everyQueriedSeriesIsExposedWithTheLabelsTheQueryUses() {
    List<String> queries = queries();
    assertThat(queries).hasSizeGreaterThan(15);
    for (String query : queries) {
      Set<String> metricLabels = new HashSet<>(TARGET_LABELS);
      Matcher metric = METRIC_IN_QUERY.matcher(query);
      int found = 0;
      while (metric.find()) {
        found++;
        String name = metric.group(1);
        assertThat(exposed)
            .as("%s in query %s is not exposed by the front-door or the operator", name, query)
            .containsKey(name);
        metricLabels.addAll(exposed.get(name));
        if (metric.group(2) != null) {
          Matcher matcher = MATCHER.matcher(metric.group(2));
          while (matcher.find()) {
            Set<String> known = new HashSet<>(exposed.get(name));
            known.addAll(TARGET_LABELS);
            assertThat(known)
                .as("label %s filtered in %s", matcher.group(1), query)
                .contains(matcher.group(1));
          }
        }
      }
      assertThat(found).as("series in %s", query).isPositive();
      Matcher grouping = GROUPING.matcher(query);
      while (grouping.find()) {
        for (String label : grouping.group(1).split(",")) {
          assertThat(metricLabels).as("grouping label in %s", query).contains(label.trim());
        }
      }
    }
  }

  @Test
  void thePanelsAnOnCallEngineerNeedsAreThere() {
    List<String> titles = new ArrayList<>();
    dashboard.path("panels").forEach(panel -> titles.add(panel.path("title").asText()));

    assertThat(titles)
        .contains(
            "Requests by outcome",
            "Cross-region share",
            "Directory cache hit ratio",
            "Lease age",
            "Replication lag by peer",
            "Failovers, refusals, region transitions",
            "Keys moved",
            "Write unavailability p99",
            "Last drill RTO",
            "Drills by result");
  }

  @Test
  void theScanFindsTheMetersTheReadmeDocuments() {
    // Guards the scan itself: were it to find nothing, the check above would prove nothing.
    assertThat(exposed)
        .containsKeys(
            "homeport_requests_seconds_count",
            "homeport_requests_seconds_bucket",
            "homeport_crdt_replication_lag_seconds",
            "homeport_rehome_keys_moved_total",
            "homeport_operator_failovers_total",
            "homeport_operator_drills_total",
            "homeport_operator_drill_rto_seconds",
            "homeport_operator_drill_running",
            "cache_gets_total");
    assertThat(exposed.get("homeport_requests_seconds_count")).contains("route", "outcome");
    assertThat(exposed.get("homeport_operator_drills_total")).contains("result");
    assertThat(exposed.get("homeport_operator_drill_rto_seconds")).contains("region");
  }

  private static List<String> queries() {
    List<String> queries = new ArrayList<>();
    dashboard
        .path("panels")
        .forEach(panel -> panel.path("targets").forEach(t -> queries.add(t.path("expr").asText())));
    return queries;
  }

  private static List<String> sources(Path root) throws IOException {
    try (Stream<Path> files = Files.walk(root)) {
      List<String> sources = new ArrayList<>();
      for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
        sources.add(Files.readString(file));
      }
      return sources;
    }
  }

  /** Registers every meter a source file defines, with the same type, name and tag keys. */
  private static List<String> registerMeters(String source, PrometheusMeterRegistry registry) {
    List<String> names = new ArrayList<>();
    Matcher builder = BUILDER.matcher(source);
    while (builder.find()) {
      String type = builder.group(1);
      String name = builder.group(2);
      String chain = builder.group(3);
      Tags tags = Tags.empty();
      Matcher tag = TAG.matcher(chain);
      while (tag.find()) {
        tags = tags.and(tag.group(1), "x");
      }
      switch (type) {
        case "Counter" -> Counter.builder(name).tags(tags).register(registry);
        case "Gauge" -> Gauge.builder(name, () -> 1).tags(tags).register(registry);
        case "DistributionSummary" ->
            DistributionSummary.builder(name).tags(tags).register(registry);
        case "Timer" ->
            Timer.builder(name)
                .tags(tags)
                .publishPercentileHistogram(chain.contains("publishPercentileHistogram"))
                .register(registry);
        default -> throw new IllegalStateException(type);
      }
      names.add(name);
    }
    Matcher counter = REGISTRY_COUNTER.matcher(source);
    while (counter.find()) {
      String[] tagLiterals = counter.group(2).split(",");
      Tags tags = Tags.empty();
      for (int i = 1; i + 1 < tagLiterals.length; i += 2) {
        tags = tags.and(tagLiterals[i].trim().replace("\"", ""), "x");
      }
      registry.counter(counter.group(1), tags);
      names.add(counter.group(1));
    }
    Matcher cache = CACHE_METRICS.matcher(source);
    while (cache.find()) {
      Cache<String, String> recording = Caffeine.newBuilder().recordStats().build();
      CaffeineCacheMetrics.monitor(registry, recording, cache.group(1));
      names.add(cache.group(1));
    }
    return names;
  }

  private static Map<String, Set<String>> parseScrape(String scrape) {
    Map<String, Set<String>> series = new HashMap<>();
    for (String line : scrape.split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      int brace = line.indexOf('{');
      int space = line.indexOf(' ');
      String name = line.substring(0, brace >= 0 && brace < space ? brace : space);
      Set<String> labels = series.computeIfAbsent(name, n -> new HashSet<>());
      if (brace >= 0 && brace < space) {
        Matcher label =
            Pattern.compile("([a-zA-Z_]+)=\"").matcher(line.substring(brace, line.indexOf('}')));
        while (label.find()) {
          labels.add(label.group(1));
        }
      }
    }
    return series;
  }
}
