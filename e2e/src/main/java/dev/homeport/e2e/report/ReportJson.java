package dev.homeport.e2e.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.homeport.e2e.history.CheckResult;
import dev.homeport.e2e.history.CheckResult.Anomaly;
import dev.homeport.e2e.history.CheckResult.CounterCheck;
import dev.homeport.e2e.history.Timeline;
import java.util.List;

/** The report as JSON: the data of the Markdown report, plus the timeline's slices. */
final class ReportJson {

  private static final ObjectMapper JSON =
      JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

  private ReportJson() {}

  static String json(List<Scenario.Snapshot> scenarios) {
    ObjectNode report = JSON.createObjectNode();
    ArrayNode list = report.putArray("scenarios");
    for (Scenario.Snapshot scenario : scenarios) {
      list.add(scenario(scenario));
    }
    try {
      return JSON.writeValueAsString(report) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Cannot write the e2e report as JSON", e);
    }
  }

  private static ObjectNode scenario(Scenario.Snapshot scenario) {
    ObjectNode node = JSON.createObjectNode();
    node.put("name", scenario.name());
    node.put("status", ReportMarkdown.status(scenario));
    node.put("finished", scenario.finished());
    ObjectNode figures = node.putObject("figures");
    scenario.figures().forEach(figure -> figures.put(figure.label(), figure.value()));
    ArrayNode events = node.putArray("events");
    for (Scenario.Event event : scenario.events()) {
      events
          .addObject()
          .put("atSeconds", scenario.seconds(event.nanos()))
          .put("label", event.label());
    }
    if (scenario.check() != null) {
      node.set("check", check(scenario.check()));
    }
    if (scenario.timeline() != null) {
      node.set("timeline", timeline(scenario.timeline()));
      node.put("plot", scenario.plotFile());
    }
    return node;
  }

  private static ObjectNode check(CheckResult check) {
    ObjectNode node = JSON.createObjectNode();
    node.put("clean", check.clean());
    node.put("summary", check.summary());
    node.put("acknowledgedWrites", check.acknowledgedWrites());
    node.put("acknowledgedReads", check.acknowledgedReads());
    node.put("unknown", check.unknown());
    node.put("unknownApplied", check.unknownApplied());
    ObjectNode counts = node.putObject("anomalies");
    for (Anomaly anomaly : Anomaly.values()) {
      counts.put(anomaly.label(), check.count(anomaly));
    }
    ObjectNode examples = node.putObject("examples");
    check
        .examples()
        .forEach(
            (anomaly, list) -> {
              ArrayNode array = examples.putArray(anomaly.label());
              list.forEach(array::add);
            });
    ArrayNode counters = node.putArray("counters");
    for (CounterCheck counter : check.counters()) {
      ObjectNode entry =
          counters
              .addObject()
              .put("counter", counter.counter())
              .put("acknowledged", counter.acknowledged())
              .put("lowest", counter.lowest())
              .put("highest", counter.highest());
      ObjectNode readings = entry.putObject("readings");
      counter.readings().forEach(readings::put);
    }
    return node;
  }

  private static ObjectNode timeline(Timeline timeline) {
    ObjectNode node = JSON.createObjectNode();
    node.put("sliceMillis", timeline.slice().toMillis());
    ArrayNode regions = node.putArray("regions");
    timeline.regions().forEach(regions::add);
    ArrayNode slices = node.putArray("slices");
    for (Timeline.Slice slice : timeline.slices()) {
      ObjectNode entry = slices.addObject();
      entry.put("atSeconds", (slice.startNanos() - timeline.originNanos()) / 1e9);
      ObjectNode acknowledged = entry.putObject("acknowledged");
      slice.acknowledged().forEach(acknowledged::put);
      entry.put("refused", slice.refused()).put("errors", slice.errors());
    }
    ObjectNode windows = node.putObject("writeUnavailability");
    windows.put("windows", timeline.windows().size());
    windows.put("p50Millis", timeline.windowP50().toNanos() / 1e6);
    windows.put("p99Millis", timeline.windowP99().toNanos() / 1e6);
    windows.put("maxMillis", timeline.windowMax().toNanos() / 1e6);
    return node;
  }
}
