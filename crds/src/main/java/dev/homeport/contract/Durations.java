package dev.homeport.contract;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations written the Kubernetes way: {@code 500ms}, {@code 2s}, {@code 1m30s}, {@code 1h}. */
public final class Durations {

  private static final Pattern WHOLE = Pattern.compile("([0-9]+(?:\\.[0-9]+)?(?:ms|s|m|h))+");
  private static final Pattern PART = Pattern.compile("([0-9]+(?:\\.[0-9]+)?)(ms|s|m|h)");

  private Durations() {}

  /** Parses a duration, or returns null when the text is not one. */
  public static Duration parse(String text) {
    if (text == null || !WHOLE.matcher(text).matches()) {
      return null;
    }
    double millis = 0;
    Matcher part = PART.matcher(text);
    while (part.find()) {
      double amount = Double.parseDouble(part.group(1));
      millis +=
          switch (part.group(2)) {
            case "ms" -> amount;
            case "s" -> amount * 1_000;
            case "m" -> amount * 60_000;
            default -> amount * 3_600_000;
          };
    }
    return Duration.ofNanos(Math.round(millis * 1_000_000));
  }

  /** Formats a duration for people and headers: {@code 250ms}, {@code 2.5s}. */
  public static String format(Duration duration) {
    long millis = duration.toMillis();
    if (millis < 1_000) {
      return millis + "ms";
    }
    return String.format(java.util.Locale.ROOT, "%.1fs", millis / 1000.0);
  }

  /**
   * The duration in the notation {@link #parse} reads, as Go and Kubernetes print it, to the
   * millisecond: {@code 120ms}, {@code 3.2s}, {@code 1m5s}, {@code 1h0m0s}.
   */
  public static String notation(Duration duration) {
    long millis = duration.toMillis();
    if (millis == 0) {
      return "0s";
    }
    StringBuilder text = new StringBuilder();
    if (millis < 0) {
      text.append('-');
      millis = -millis;
    }
    if (millis < 1_000) {
      return text.append(millis).append("ms").toString();
    }
    long hours = millis / 3_600_000;
    long minutes = millis / 60_000 % 60;
    long secondsMillis = millis % 60_000;
    if (hours > 0) {
      text.append(hours).append('h');
    }
    if (hours > 0 || minutes > 0) {
      text.append(minutes).append('m');
    }
    String seconds = BigDecimal.valueOf(secondsMillis, 3).stripTrailingZeros().toPlainString();
    return text.append(seconds).append('s').toString();
  }
}
