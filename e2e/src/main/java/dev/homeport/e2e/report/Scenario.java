package dev.homeport.e2e.report;

import dev.homeport.e2e.history.CheckResult;
import dev.homeport.e2e.history.Timeline;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * One scenario's part of a {@link ScenarioReport}: figures, the history check, events and the
 * request timeline. Safe to fill from several threads; {@link #done()} publishes it.
 */
public final class Scenario {

  /** A named figure, already formatted. */
  record Figure(String label, String value) {}

  /** Something that happened at an instant ({@link System#nanoTime()}), such as a fault. */
  record Event(long nanos, String label) {}

  /** An immutable copy of a scenario, for writing. */
  record Snapshot(
      String name,
      String slug,
      long originNanos,
      List<Figure> figures,
      List<Event> events,
      CheckResult check,
      Timeline timeline,
      boolean finished) {

    /** Seconds from the origin to an instant. */
    double seconds(long nanos) {
      return (nanos - originNanos) / 1e9;
    }

    String plotFile() {
      return slug + ".svg";
    }
  }

  private final ScenarioReport report;
  private final String name;
  private final String slug;
  private final long startNanos = System.nanoTime();
  private final Map<String, String> figures = new LinkedHashMap<>();
  private final List<Event> events = new ArrayList<>();
  private CheckResult check;
  private Timeline timeline;
  private boolean finished;

  Scenario(ScenarioReport report, String name, String slug) {
    this.report = report;
    this.name = name;
    this.slug = slug;
  }

  public String name() {
    return name;
  }

  /** Sets a figure; setting a label again replaces its value and keeps its place. */
  public synchronized Scenario figure(String label, String value) {
    figures.put(Objects.requireNonNull(label, "label"), Objects.requireNonNull(value, "value"));
    return this;
  }

  /** Sets a numeric figure with a unit, such as {@code figure("writes", 13311, "/s")}. */
  public Scenario figure(String label, double value, String unit) {
    String number = number(value);
    return figure(label, unit == null || unit.isEmpty() ? number : number + " " + unit);
  }

  /** Sets a duration figure, in milliseconds. */
  public Scenario figure(String label, Duration value) {
    return figure(label, value.toNanos() / 1e6, "ms");
  }

  /** Sets the history check's result. */
  public synchronized Scenario check(CheckResult result) {
    this.check = Objects.requireNonNull(result, "result");
    return this;
  }

  /** Marks an instant ({@link System#nanoTime()}) with a label, such as {@code mumbai killed}. */
  public synchronized Scenario event(long nanos, String label) {
    events.add(new Event(nanos, Objects.requireNonNull(label, "label")));
    return this;
  }

  /** Marks the present instant with a label. */
  public Scenario event(String label) {
    return event(System.nanoTime(), label);
  }

  /**
   * Sets the request timeline, plotted as request outcomes over time with the events marked. Event
   * times are then given from the timeline's origin, otherwise from when the scenario was begun.
   */
  public synchronized Scenario timeline(Timeline timeline) {
    this.timeline = Objects.requireNonNull(timeline, "timeline");
    return this;
  }

  /**
   * Finishes the scenario: prints its figures and check to standard output and, when the report
   * writes to a directory, rewrites the report there.
   *
   * @throws java.io.UncheckedIOException when the report's directory cannot be written
   */
  public void done() {
    synchronized (this) {
      finished = true;
    }
    report.finished(this);
  }

  synchronized Snapshot snapshot() {
    List<Figure> figureList = new ArrayList<>();
    figures.forEach((label, value) -> figureList.add(new Figure(label, value)));
    List<Event> eventList = new ArrayList<>(events);
    eventList.sort((a, b) -> Long.compare(a.nanos(), b.nanos()));
    return new Snapshot(
        name,
        slug,
        timeline != null ? timeline.originNanos() : startNanos,
        List.copyOf(figureList),
        List.copyOf(eventList),
        check,
        timeline,
        finished);
  }

  /** A number as people read it: thousands grouped, at most three decimals, none if whole. */
  static String number(double value) {
    if (Double.isNaN(value) || Double.isInfinite(value)) {
      return String.valueOf(value);
    }
    if (value == Math.rint(value) && Math.abs(value) < 1e15) {
      return String.format(Locale.ROOT, "%,d", (long) value);
    }
    String text =
        Math.abs(value) >= 100
            ? String.format(Locale.ROOT, "%,.1f", value)
            : String.format(Locale.ROOT, "%,.3f", value);
    return text.contains(".") ? text.replaceAll("0+$", "").replaceAll("\\.$", "") : text;
  }
}
