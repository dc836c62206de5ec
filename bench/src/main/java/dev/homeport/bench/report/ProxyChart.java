package dev.homeport.bench.report;

import dev.homeport.bench.proxy.ProxyOverhead;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.DoubleUnaryOperator;
import java.util.function.ToDoubleFunction;

/**
 * The proxy cases as an SVG with two panels: requests per second, and latency at p50, p99 and
 * p99.9, one group of bars per case. Hand-written SVG, like the e2e report's charts: no library,
 * opens in any browser and renders on GitHub.
 */
public final class ProxyChart {

  private static final int PANEL_WIDTH = 520;
  private static final int HEIGHT = 440;
  private static final int LEFT = 80;
  private static final int TOP = 60;
  private static final int BOTTOM = 100;
  private static final int GAP = 60;
  private static final int PLOT_WIDTH = PANEL_WIDTH - LEFT - 20;
  private static final int PLOT_HEIGHT = HEIGHT - TOP - BOTTOM;
  private static final String THROUGHPUT_COLOUR = "#1f77b4";
  private static final List<String> LATENCY_COLOURS = List.of("#2ca02c", "#ff7f0e", "#d62728");
  private static final List<String> LATENCY_NAMES = List.of("p50", "p99", "p99.9");

  private ProxyChart() {}

  /** The chart of the given cases, in their order. */
  public static String svg(List<ProxyOverhead.Case> cases) {
    int width = 2 * PANEL_WIDTH + GAP;
    StringBuilder svg = new StringBuilder();
    svg.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    svg.append(
        format(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d"
                + " %d\" font-family=\"sans-serif\" font-size=\"12\">\n",
            width, HEIGHT, width, HEIGHT));
    svg.append("<title>Proxy overhead: requests/s and latency per path</title>\n");
    svg.append(format("<rect width=\"%d\" height=\"%d\" fill=\"#ffffff\"/>\n", width, HEIGHT));
    panel(
        svg,
        0,
        "Requests per second (higher is better)",
        cases,
        List.of(c -> c.wrk().requestsPerSecond()),
        List.of(THROUGHPUT_COLOUR),
        List.of("requests/s"),
        false);
    panel(
        svg,
        PANEL_WIDTH + GAP,
        "Latency in µs, log scale (lower is better)",
        cases,
        List.of(c -> c.wrk().p50Micros(), c -> c.wrk().p99Micros(), c -> c.wrk().p999Micros()),
        LATENCY_COLOURS,
        LATENCY_NAMES,
        true);
    svg.append("</svg>\n");
    return svg.toString();
  }

  private static void panel(
      StringBuilder svg,
      int x0,
      String title,
      List<ProxyOverhead.Case> cases,
      List<ToDoubleFunction<ProxyOverhead.Case>> values,
      List<String> colours,
      List<String> names,
      boolean log) {
    double highest = 1;
    for (ProxyOverhead.Case c : cases) {
      for (ToDoubleFunction<ProxyOverhead.Case> value : values) {
        highest = Math.max(highest, value.applyAsDouble(c));
      }
    }
    int left = x0 + LEFT;
    int bottom = TOP + PLOT_HEIGHT;
    svg.append(
        format(
            "<text x=\"%d\" y=\"28\" font-size=\"15\" font-weight=\"bold\">%s</text>\n",
            left, escape(title)));
    List<Double> ticks = new ArrayList<>();
    DoubleUnaryOperator height;
    if (log) {
      // Powers of ten from 1 up to the first at or above the highest value.
      int decades = Math.max(1, (int) Math.ceil(Math.log10(highest)));
      for (int d = 0; d <= decades; d++) {
        ticks.add(Math.pow(10, d));
      }
      height = v -> v <= 1 ? 0 : PLOT_HEIGHT * Math.log10(v) / decades;
    } else {
      double step = niceStep(highest / 5);
      double top = Math.max(step, Math.ceil(highest / step) * step);
      for (int tick = 0; tick * step <= top + step / 2; tick++) {
        ticks.add(tick * step);
      }
      height = v -> PLOT_HEIGHT * v / top;
    }
    for (double tick : ticks) {
      double y = bottom - height.applyAsDouble(tick);
      svg.append(
          format(
              "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#e0e0e0\"/>\n",
              left, y, left + PLOT_WIDTH, y));
      svg.append(
          format(
              "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n",
              left - 6, y + 4, number(tick)));
    }
    double group = PLOT_WIDTH / (double) Math.max(1, cases.size());
    double bar = group * 0.7 / values.size();
    for (int i = 0; i < cases.size(); i++) {
      ProxyOverhead.Case c = cases.get(i);
      double gx = left + i * group + group * 0.15;
      for (int v = 0; v < values.size(); v++) {
        double value = values.get(v).applyAsDouble(c);
        double h = height.applyAsDouble(value);
        svg.append(
            format(
                "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\">"
                    + "<title>%s %s: %s</title></rect>\n",
                gx + v * bar,
                bottom - h,
                Math.max(bar - 1, 1),
                h,
                colours.get(v),
                escape(c.name()),
                escape(names.get(v)),
                number(value)));
      }
      double cx = left + i * group + group / 2;
      svg.append(
          format(
              "<text transform=\"translate(%.1f %d) rotate(30)\" font-size=\"11\">%s</text>\n",
              cx - 12, bottom + 14, escape(c.id())));
    }
    svg.append(
        format(
            "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#000000\"/>\n",
            left, bottom, left + PLOT_WIDTH, bottom));
    svg.append(
        format(
            "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#000000\"/>\n",
            left, TOP, left, bottom));
    if (values.size() > 1) {
      for (int v = 0; v < values.size(); v++) {
        // In a row between the title and the plot, clear of the bars.
        int lx = left + v * 70;
        int ly = 38;
        svg.append(
            format(
                "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/>"
                    + "<text x=\"%d\" y=\"%d\">%s</text>\n",
                lx, ly, colours.get(v), lx + 18, ly + 10, escape(names.get(v))));
      }
    }
  }

  /** 1, 2 or 5 times a power of ten, at least {@code raw}. */
  static double niceStep(double raw) {
    double power = Math.pow(10, Math.floor(Math.log10(raw)));
    for (double m : new double[] {1, 2, 5, 10}) {
      if (m * power >= raw) {
        return m * power;
      }
    }
    return 10 * power;
  }

  private static String number(double value) {
    return value == Math.rint(value)
        ? String.format(Locale.ROOT, "%,.0f", value)
        : String.format(Locale.ROOT, "%,.1f", value);
  }

  static String escape(String text) {
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }

  private static String format(String pattern, Object... args) {
    return String.format(Locale.ROOT, pattern, args);
  }
}
