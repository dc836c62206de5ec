package dev.homeport.e2e.report;

import dev.homeport.e2e.history.Timeline;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.ToIntFunction;

/**
 * A scenario's request outcomes over time as an SVG: a stacked bar per time slice (acknowledged per
 * serving region, refused, errors), the events as labelled dashed lines, axes and a legend.
 */
final class OutcomeChart {

  private static final int WIDTH = 1040;
  private static final int HEIGHT = 460;
  private static final int LEFT = 70;
  private static final int RIGHT = 240;
  private static final int TOP = 56;
  private static final int BOTTOM = 56;
  private static final int PLOT_WIDTH = WIDTH - LEFT - RIGHT;
  private static final int PLOT_HEIGHT = HEIGHT - TOP - BOTTOM;

  private static final List<String> REGION_COLOURS =
      List.of("#1f77b4", "#2ca02c", "#9467bd", "#17becf", "#8c564b", "#bcbd22", "#7f7f7f");
  private static final String REFUSED_COLOUR = "#ff7f0e";
  private static final String ERROR_COLOUR = "#d62728";

  /** One stacked layer: a name for the legend, a colour and its count per slice. */
  private record Series(String name, String colour, ToIntFunction<Timeline.Slice> count) {}

  private OutcomeChart() {}

  static String svg(Scenario.Snapshot scenario) {
    Timeline timeline = scenario.timeline();
    List<Timeline.Slice> slices = timeline.slices();
    double sliceSeconds = timeline.slice().toNanos() / 1e9;
    long sliceMillis = timeline.slice().toMillis();

    List<Series> series = new ArrayList<>();
    for (int i = 0; i < timeline.regions().size(); i++) {
      String region = timeline.regions().get(i);
      series.add(
          new Series(
              "acknowledged by " + region,
              REGION_COLOURS.get(i % REGION_COLOURS.size()),
              slice -> slice.acknowledged().getOrDefault(region, 0)));
    }
    series.add(new Series("refused", REFUSED_COLOUR, Timeline.Slice::refused));
    series.add(new Series("errors", ERROR_COLOUR, Timeline.Slice::errors));

    double spanSeconds = slices.size() * sliceSeconds;
    for (Scenario.Event event : scenario.events()) {
      spanSeconds = Math.max(spanSeconds, scenario.seconds(event.nanos()));
    }
    spanSeconds = Math.max(spanSeconds, sliceSeconds);
    int highest = slices.stream().mapToInt(Timeline.Slice::total).max().orElse(0);
    double yStep = niceStep(Math.max(highest, 1) / 5.0);
    double yTop = Math.max(yStep, Math.ceil(highest / yStep) * yStep);
    double xScale = PLOT_WIDTH / spanSeconds;
    double yScale = PLOT_HEIGHT / yTop;
    double bottom = TOP + PLOT_HEIGHT;

    String title = scenario.name() + ": request outcomes per " + sliceMillis + " ms";
    StringBuilder svg = new StringBuilder();
    svg.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    svg.append(
        format(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\""
                + " font-family=\"sans-serif\" font-size=\"12\">\n",
            WIDTH, HEIGHT, WIDTH, HEIGHT));
    svg.append("<title>").append(escape(title)).append("</title>\n");
    svg.append(format("<rect width=\"%d\" height=\"%d\" fill=\"#ffffff\"/>\n", WIDTH, HEIGHT));
    svg.append(
        format(
            "<text x=\"%d\" y=\"24\" font-size=\"16\" font-weight=\"bold\">%s</text>\n",
            LEFT, escape(title)));

    // Horizontal grid and y axis ticks.
    for (int tick = 0; tick * yStep <= yTop + yStep / 2; tick++) {
      double y = tick * yStep;
      double py = bottom - y * yScale;
      svg.append(
          format(
              "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#e0e0e0\"/>\n",
              LEFT, py, LEFT + PLOT_WIDTH, py));
      svg.append(
          format(
              "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n",
              LEFT - 6, py + 4, Scenario.number(y)));
    }

    // The stacked bars, one path per series.
    double barWidth = sliceSeconds * xScale;
    double gap = barWidth > 4 ? 1 : 0;
    int[] base = new int[slices.size()];
    for (Series layer : series) {
      StringBuilder path = new StringBuilder();
      for (int i = 0; i < slices.size(); i++) {
        int count = layer.count().applyAsInt(slices.get(i));
        if (count == 0) {
          continue;
        }
        double x = LEFT + i * barWidth;
        double y = bottom - (base[i] + count) * yScale;
        path.append(
            format(
                "M%.2f %.2fh%.2fv%.2fh%.2fz",
                x, y, barWidth - gap, count * yScale, -(barWidth - gap)));
        base[i] += count;
      }
      if (path.length() > 0) {
        svg.append(
            format(
                "<path fill=\"%s\" d=\"%s\"><title>%s</title></path>\n",
                layer.colour(), path, escape(layer.name())));
      }
    }

    // Axes, x ticks and axis labels.
    svg.append(
        format(
            "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#000000\"/>\n",
            LEFT, bottom, LEFT + PLOT_WIDTH, bottom));
    svg.append(
        format(
            "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%.1f\" stroke=\"#000000\"/>\n",
            LEFT, TOP, LEFT, bottom));
    double xStep = niceStep(spanSeconds / 10);
    for (int tick = 0; tick * xStep <= spanSeconds + xStep / 1000; tick++) {
      double t = tick * xStep;
      double px = LEFT + t * xScale;
      svg.append(
          format(
              "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#000000\"/>\n",
              px, bottom, px, bottom + 5));
      svg.append(
          format(
              "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%s</text>\n",
              px, bottom + 18, Scenario.number(t)));
    }
    svg.append(
        format(
            "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">time since start (s)</text>\n",
            LEFT + PLOT_WIDTH / 2.0, HEIGHT - 12));
    svg.append(
        format(
            "<text transform=\"translate(18 %.1f) rotate(-90)\" text-anchor=\"middle\">"
                + "requests per %d ms slice</text>\n",
            TOP + PLOT_HEIGHT / 2.0, sliceMillis));

    // Events: dashed lines, labels staggered so that close events stay readable.
    List<Scenario.Event> events = scenario.events();
    for (int i = 0; i < events.size(); i++) {
      Scenario.Event event = events.get(i);
      double seconds = scenario.seconds(event.nanos());
      if (seconds < 0) {
        continue;
      }
      double px = LEFT + seconds * xScale;
      svg.append(
          format(
              "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#333333\""
                  + " stroke-dasharray=\"6 4\"/>\n",
              px, TOP - 4, px, bottom));
      // Labels of late events are drawn to the left of their line, clear of the legend.
      boolean late = px > LEFT + PLOT_WIDTH * 0.75;
      svg.append(
          format(
              "<text x=\"%.1f\" y=\"%d\" font-size=\"11\" fill=\"#333333\" text-anchor=\"%s\">"
                  + "%s</text>\n",
              late ? px - 3 : px + 3,
              TOP + 10 + (i % 3) * 13,
              late ? "end" : "start",
              escape(event.label())));
    }

    // Legend.
    int legendX = LEFT + PLOT_WIDTH + 20;
    int legendY = TOP;
    for (Series layer : series) {
      svg.append(
          format(
              "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/>\n",
              legendX, legendY, layer.colour()));
      svg.append(
          format(
              "<text x=\"%d\" y=\"%d\">%s</text>\n",
              legendX + 18, legendY + 10, escape(layer.name())));
      legendY += 20;
    }
    svg.append(
        format(
            "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#333333\" stroke-dasharray=\"6 4\"/>\n",
            legendX, legendY + 6, legendX + 12, legendY + 6));
    svg.append(format("<text x=\"%d\" y=\"%d\">event</text>\n", legendX + 18, legendY + 10));
    svg.append("</svg>\n");
    return svg.toString();
  }

  /** A round step (1, 2 or 5 times a power of ten) no smaller than {@code rough}. */
  static double niceStep(double rough) {
    if (!(rough > 0)) {
      return 1;
    }
    double power = Math.pow(10, Math.floor(Math.log10(rough)));
    for (double factor : new double[] {1, 2, 5, 10}) {
      if (factor * power >= rough) {
        return factor * power;
      }
    }
    return 10 * power;
  }

  /** Text safe in XML content and attribute values. */
  static String escape(String text) {
    StringBuilder escaped = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '&' -> escaped.append("&amp;");
        case '<' -> escaped.append("&lt;");
        case '>' -> escaped.append("&gt;");
        case '"' -> escaped.append("&quot;");
        case '\'' -> escaped.append("&apos;");
        default -> {
          // Control characters other than tab and line breaks are not allowed in XML 1.0.
          if (c >= 0x20 || c == '\t' || c == '\n' || c == '\r') {
            escaped.append(c);
          }
        }
      }
    }
    return escaped.toString();
  }

  private static String format(String template, Object... values) {
    return String.format(Locale.ROOT, template, values);
  }
}
