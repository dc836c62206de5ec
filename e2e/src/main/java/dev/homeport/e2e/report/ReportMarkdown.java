package dev.homeport.e2e.report;

import dev.homeport.e2e.history.CheckResult;
import dev.homeport.e2e.history.CheckResult.Anomaly;
import dev.homeport.e2e.history.Timeline;
import java.util.List;
import java.util.Locale;

/** The report as Markdown, and one scenario as the block printed when it is done. */
final class ReportMarkdown {

  private ReportMarkdown() {}

  static String markdown(List<Scenario.Snapshot> scenarios) {
    StringBuilder md = new StringBuilder("# Homeport end-to-end report\n\n");
    if (scenarios.isEmpty()) {
      md.append("No scenario has run.\n");
    }
    for (Scenario.Snapshot scenario : scenarios) {
      md.append("## ").append(scenario.name()).append("\n\n");
      md.append("Status: ").append(status(scenario)).append("\n\n");
      if (!scenario.figures().isEmpty()) {
        md.append("| Figure | Value |\n|---|---:|\n");
        for (Scenario.Figure figure : scenario.figures()) {
          row(md, figure.label(), figure.value());
        }
        md.append('\n');
      }
      CheckResult check = scenario.check();
      if (check != null) {
        md.append(cell(check.summary())).append("\n\n");
        md.append("| Check | Count |\n|---|---:|\n");
        row(md, "writes acknowledged", count(check.acknowledgedWrites()));
        for (Anomaly anomaly : Anomaly.values()) {
          row(md, anomaly.label(), count(check.count(anomaly)));
        }
        row(md, "unknown writes (errors)", count(check.unknown()));
        row(md, "unknown writes applied", count(check.unknownApplied()));
        row(md, "reads checked", count(check.acknowledgedReads()));
        md.append('\n');
        check
            .examples()
            .forEach(
                (anomaly, examples) -> {
                  md.append("Examples of ").append(anomaly.label()).append(":\n\n");
                  examples.forEach(example -> md.append("- ").append(cell(example)).append('\n'));
                  md.append('\n');
                });
      }
      Timeline timeline = scenario.timeline();
      if (timeline != null) {
        md.append("| Write unavailability | Value |\n|---|---:|\n");
        row(md, "windows", count(timeline.windows().size()));
        row(md, "p50", millis(timeline.windowP50().toNanos()));
        row(md, "p99", millis(timeline.windowP99().toNanos()));
        row(md, "max", millis(timeline.windowMax().toNanos()));
        md.append('\n');
      }
      if (!scenario.events().isEmpty()) {
        md.append("| At | Event |\n|---:|---|\n");
        for (Scenario.Event event : scenario.events()) {
          row(md, seconds(scenario, event.nanos()), event.label());
        }
        md.append('\n');
      }
      if (timeline != null) {
        md.append("![Request outcomes over time: ")
            .append(cell(scenario.name()))
            .append("](")
            .append(scenario.plotFile())
            .append(")\n\n");
      }
    }
    return md.toString();
  }

  /** What a test prints when a scenario is done: figures, check and events, a line each. */
  static String block(Scenario.Snapshot scenario) {
    StringBuilder text = new StringBuilder();
    text.append("=== ").append(scenario.name()).append(" (").append(status(scenario)).append(")\n");
    for (Scenario.Figure figure : scenario.figures()) {
      text.append("  ").append(figure.label()).append(": ").append(figure.value()).append('\n');
    }
    if (scenario.timeline() != null) {
      Timeline timeline = scenario.timeline();
      text.append(
          String.format(
              Locale.ROOT,
              "  write unavailability: %d windows, p50 %s, p99 %s, max %s%n",
              timeline.windows().size(),
              millis(timeline.windowP50().toNanos()),
              millis(timeline.windowP99().toNanos()),
              millis(timeline.windowMax().toNanos())));
    }
    if (scenario.check() != null) {
      for (String line : scenario.check().toString().split("\\R")) {
        text.append("  ").append(line).append('\n');
      }
    }
    for (Scenario.Event event : scenario.events()) {
      text.append("  ")
          .append(seconds(scenario, event.nanos()))
          .append(' ')
          .append(event.label())
          .append('\n');
    }
    return text.toString();
  }

  static String status(Scenario.Snapshot scenario) {
    if (!scenario.finished()) {
      return "not finished";
    }
    if (scenario.check() == null) {
      return "no history check";
    }
    return scenario.check().clean() ? "clean" : "ANOMALIES";
  }

  private static void row(StringBuilder md, String label, String value) {
    md.append("| ").append(cell(label)).append(" | ").append(cell(value)).append(" |\n");
  }

  /** Text safe inside a table cell: pipes escaped, line breaks flattened. */
  private static String cell(String text) {
    return text.replace("|", "\\|").replaceAll("\\R", " ");
  }

  private static String count(int count) {
    return String.format(Locale.ROOT, "%,d", count);
  }

  static String millis(long nanos) {
    return Scenario.number(nanos / 1e6) + " ms";
  }

  static String seconds(Scenario.Snapshot scenario, long nanos) {
    return String.format(Locale.ROOT, "%+.3f s", scenario.seconds(nanos));
  }
}
