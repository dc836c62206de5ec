package dev.homeport.operator.drill;

import java.math.BigDecimal;
import java.time.Duration;

/**
 * Durations as Go and Kubernetes print them ({@code 120ms}, {@code 3.2s}, {@code 1m5s}, {@code
 * 1h0m0s}), to the millisecond; {@link dev.homeport.contract.Durations#parse} reads them back.
 */
public final class GoDurations {

  private GoDurations() {}

  public static String format(Duration duration) {
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
