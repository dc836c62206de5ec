package dev.homeport.operator.drill;

import dev.homeport.crds.v1alpha1.spec.BlockedWindow;
import dev.homeport.crds.v1alpha1.spec.Weekday;
import java.time.DateTimeException;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/** {@code spec.drillPolicy.blockedWindows}: times when no drill may start. Pure. */
public final class BlockedWindows {

  private static final String FIELD = "spec.drillPolicy.blockedWindows";

  /** One blocked window. */
  public interface Window {

    /** The end of the occurrence of this window that contains {@code now}, or null if none. */
    Instant endIfInside(Instant now);

    /** The window as people wrote it, with its field, e.g. {@code blockedWindows[0] (…)}. */
    String describe();
  }

  /** A one-off window, {@code start} (inclusive) to {@code end} (exclusive). */
  record Once(int index, Instant start, Instant end, String reason) implements Window {
    @Override
    public Instant endIfInside(Instant now) {
      return !now.isBefore(start) && now.isBefore(end) ? end : null;
    }

    @Override
    public String describe() {
      return String.format("%s[%d] (%s%s to %s)", FIELD, index, reasonPrefix(reason), start, end);
    }
  }

  /** A weekly window: on each of {@code days}, {@code from} to {@code to} in {@code zone}. */
  record Weekly(
      int index, Set<DayOfWeek> days, LocalTime from, LocalTime to, ZoneId zone, String reason)
      implements Window {
    @Override
    public Instant endIfInside(Instant now) {
      LocalDate today = now.atZone(zone).toLocalDate();
      // An occurrence that crosses midnight began the day before.
      for (LocalDate day : List.of(today.minusDays(1), today)) {
        if (!days.contains(day.getDayOfWeek())) {
          continue;
        }
        Instant start = ZonedDateTime.of(day, from, zone).toInstant();
        LocalDate endDay = to.isAfter(from) ? day : day.plusDays(1);
        Instant end = ZonedDateTime.of(endDay, to, zone).toInstant();
        if (!now.isBefore(start) && now.isBefore(end)) {
          return end;
        }
      }
      return null;
    }

    @Override
    public String describe() {
      String dayList =
          days.stream()
              .sorted()
              .map(d -> d.getDisplayName(java.time.format.TextStyle.SHORT, Locale.ROOT))
              .collect(Collectors.joining(", "));
      return String.format(
          "%s[%d] (%s%s %s–%s %s)", FIELD, index, reasonPrefix(reason), dayList, from, to, zone);
    }
  }

  private BlockedWindows() {}

  /**
   * Reads the windows.
   *
   * @throws IllegalArgumentException naming the field and what to write instead
   */
  public static List<Window> of(List<BlockedWindow> windows) {
    List<Window> parsed = new ArrayList<>();
    if (windows == null) {
      return parsed;
    }
    for (int i = 0; i < windows.size(); i++) {
      parsed.add(parse(windows.get(i), i));
    }
    return parsed;
  }

  /** A message naming the window {@code now} falls in and when it ends; empty when none. */
  public static Optional<String> covering(List<Window> windows, Instant now) {
    for (Window window : windows) {
      Instant end = window.endIfInside(now);
      if (end != null) {
        return Optional.of(
            String.format(
                "it is inside blocked window %s until %s; start the drill after that, or change"
                    + " spec.drillPolicy.blockedWindows",
                window.describe(), end));
      }
    }
    return Optional.empty();
  }

  private static Window parse(BlockedWindow window, int index) {
    String field = FIELD + "[" + index + "]";
    boolean once = window.getStart() != null || window.getEnd() != null;
    boolean weekly =
        window.getDays() != null
            || window.getFrom() != null
            || window.getTo() != null
            || window.getTimeZone() != null;
    if (once == weekly) {
      throw new IllegalArgumentException(
          field
              + ": a blocked window is either once (start and end) or weekly (days, from, to and"
              + " optionally timeZone); set one of the two forms");
    }
    if (once) {
      Instant start = instant(field + ".start", window.getStart());
      Instant end = instant(field + ".end", window.getEnd());
      if (!end.isAfter(start)) {
        throw new IllegalArgumentException(
            String.format(
                "%s.end: %s is not after start %s; a window must end after it starts",
                field, window.getEnd(), window.getStart()));
      }
      return new Once(index, start, end, window.getReason());
    }
    if (window.getDays() == null || window.getDays().isEmpty()) {
      throw new IllegalArgumentException(
          field + ".days: a weekly window needs its days, e.g. [Mon, Tue, Wed, Thu, Fri]");
    }
    Set<DayOfWeek> days = EnumSet.noneOf(DayOfWeek.class);
    for (Weekday day : window.getDays()) {
      days.add(DayOfWeek.of(day.ordinal() + 1));
    }
    LocalTime from = clock(field + ".from", window.getFrom());
    LocalTime to = clock(field + ".to", window.getTo());
    if (from.equals(to)) {
      throw new IllegalArgumentException(
          String.format(
              "%s.to: %s equals from; a weekly window needs a length (to before from crosses"
                  + " midnight)",
              field, window.getTo()));
    }
    ZoneId zone = ZoneOffset.UTC;
    if (window.getTimeZone() != null) {
      try {
        zone = ZoneId.of(window.getTimeZone());
      } catch (DateTimeException e) {
        throw new IllegalArgumentException(
            String.format(
                "%s.timeZone: \"%s\" is not a time zone; use an IANA name such as Europe/Berlin",
                field, window.getTimeZone()));
      }
    }
    return new Weekly(index, days, from, to, zone, window.getReason());
  }

  private static Instant instant(String field, String text) {
    if (text == null) {
      throw new IllegalArgumentException(
          field + ": missing; a one-off window needs start and end (RFC 3339)");
    }
    try {
      return OffsetDateTime.parse(text).toInstant();
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(
          String.format(
              "%s: \"%s\" is not an RFC 3339 time such as 2026-12-20T00:00:00Z", field, text));
    }
  }

  private static LocalTime clock(String field, String text) {
    if (text == null) {
      throw new IllegalArgumentException(
          field + ": missing; a weekly window needs from and to, as HH:MM");
    }
    try {
      if (!text.matches("([01][0-9]|2[0-3]):[0-5][0-9]")) {
        throw new DateTimeParseException("not HH:MM", text, 0);
      }
      return LocalTime.parse(text);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(
          String.format("%s: \"%s\" is not a time of day such as 09:00 (HH:MM)", field, text));
    }
  }

  private static String reasonPrefix(String reason) {
    return reason == null || reason.isBlank() ? "" : reason + ": ";
  }
}
