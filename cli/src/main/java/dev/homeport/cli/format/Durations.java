package dev.homeport.cli.format;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

/**
 * Durations as the plugin reads and prints them: the Kubernetes notation of the custom resources
 * ({@code 500ms}, {@code 2s}, {@code 1m30s}) in, short human ages ({@code 12s ago}, {@code in 3s})
 * out, rounded the way {@code kubectl get} rounds its AGE column.
 */
public final class Durations {

  private Durations() {}

  /** Parses a duration in the custom resources' notation, or returns null when it is not one. */
  public static Duration parse(String text) {
    return dev.homeport.contract.Durations.parse(text);
  }

  /**
   * A duration in at most two units: {@code 850ms}, {@code 12s}, {@code 3m4s}, {@code 2h5m}, {@code
   * 3d4h}. Negative durations are printed as their absolute value.
   */
  public static String human(Duration duration) {
    Duration d = duration.abs();
    long millis = d.toMillis();
    if (millis == 0) {
      return "0s";
    }
    if (millis < 1_000) {
      return millis + "ms";
    }
    long seconds = d.toSeconds();
    if (seconds < 60) {
      return seconds + "s";
    }
    if (seconds < 3_600) {
      return twoUnits(seconds / 60, "m", seconds % 60, "s");
    }
    if (seconds < 86_400) {
      return twoUnits(seconds / 3_600, "h", seconds % 3_600 / 60, "m");
    }
    return twoUnits(seconds / 86_400, "d", seconds % 86_400 / 3_600, "h");
  }

  /** How long ago {@code then} was: {@code 12s ago}; {@code in 3s} when it is still to come. */
  public static String ago(Instant then, Instant now) {
    Duration elapsed = Duration.between(then, now);
    return elapsed.isNegative() ? "in " + human(elapsed) : human(elapsed) + " ago";
  }

  /** When a deadline (a lease, a hold) ends: {@code in 8s}, or {@code expired 4m ago}. */
  public static String expiry(Instant deadline, Instant now) {
    Duration left = Duration.between(now, deadline);
    return left.isNegative() ? "expired " + human(left) + " ago" : "in " + human(left);
  }

  /** Parses an RFC 3339 instant from a status field, or returns null when absent or malformed. */
  public static Instant instant(String text) {
    if (text == null || text.isBlank()) {
      return null;
    }
    try {
      return Instant.parse(text);
    } catch (DateTimeParseException e) {
      try {
        return OffsetDateTime.parse(text).toInstant();
      } catch (DateTimeParseException again) {
        return null;
      }
    }
  }

  private static String twoUnits(long major, String majorUnit, long minor, String minorUnit) {
    return minor == 0 ? major + majorUnit : major + majorUnit + minor + minorUnit;
  }
}
