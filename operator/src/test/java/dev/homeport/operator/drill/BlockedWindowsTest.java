package dev.homeport.operator.drill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.homeport.crds.v1alpha1.spec.BlockedWindow;
import dev.homeport.crds.v1alpha1.spec.Weekday;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class BlockedWindowsTest {

  private static BlockedWindow once(String start, String end) {
    BlockedWindow window = new BlockedWindow();
    window.setStart(start);
    window.setEnd(end);
    return window;
  }

  private static BlockedWindow weekly(List<Weekday> days, String from, String to, String zone) {
    BlockedWindow window = new BlockedWindow();
    window.setDays(days);
    window.setFrom(from);
    window.setTo(to);
    window.setTimeZone(zone);
    return window;
  }

  @Test
  void aOneOffWindowCoversItsStartButNotItsEnd() {
    BlockedWindow freeze = once("2026-12-20T00:00:00Z", "2027-01-04T00:00:00+01:00");
    freeze.setReason("year-end freeze");
    List<BlockedWindows.Window> windows = BlockedWindows.of(List.of(freeze));

    assertThat(BlockedWindows.covering(windows, Instant.parse("2026-12-19T23:59:59Z"))).isEmpty();
    assertThat(BlockedWindows.covering(windows, Instant.parse("2026-12-20T00:00:00Z")))
        .hasValue(
            "it is inside blocked window spec.drillPolicy.blockedWindows[0] (year-end freeze:"
                + " 2026-12-20T00:00:00Z to 2027-01-03T23:00:00Z) until 2027-01-03T23:00:00Z;"
                + " start the drill after that, or change spec.drillPolicy.blockedWindows");
    assertThat(BlockedWindows.covering(windows, Instant.parse("2027-01-03T23:00:00Z"))).isEmpty();
  }

  @Test
  void aWeeklyWindowIsReadInItsTimeZone() {
    List<BlockedWindows.Window> windows =
        BlockedWindows.of(
            List.of(
                weekly(
                    List.of(Weekday.Mon, Weekday.Tue, Weekday.Wed, Weekday.Thu, Weekday.Fri),
                    "09:00",
                    "17:00",
                    "Europe/Berlin")));

    // Monday 2026-11-23, 10:00 in Berlin (CET, UTC+1).
    assertThat(BlockedWindows.covering(windows, Instant.parse("2026-11-23T09:00:00Z")))
        .get()
        .asString()
        .contains("(Mon, Tue, Wed, Thu, Fri 09:00–17:00 Europe/Berlin) until 2026-11-23T16:00:00Z");
    // 08:30 in Berlin, and Saturday noon.
    assertThat(BlockedWindows.covering(windows, Instant.parse("2026-11-23T07:30:00Z"))).isEmpty();
    assertThat(BlockedWindows.covering(windows, Instant.parse("2026-11-28T11:00:00Z"))).isEmpty();
    // Summer time: 09:00 in Berlin is 07:00 UTC.
    assertThat(BlockedWindows.covering(windows, Instant.parse("2026-06-01T07:00:00Z"))).isPresent();
  }

  @Test
  void aWindowWhoseEndIsBeforeItsStartCrossesMidnightFromItsDay() {
    List<BlockedWindows.Window> windows =
        BlockedWindows.of(List.of(weekly(List.of(Weekday.Fri), "22:00", "06:00", null)));

    // Friday 2026-11-27 23:00 UTC and Saturday 03:00 belong to Friday's window.
    assertThat(BlockedWindows.covering(windows, Instant.parse("2026-11-27T23:00:00Z")))
        .get()
        .asString()
        .contains("until 2026-11-28T06:00:00Z");
    assertThat(BlockedWindows.covering(windows, Instant.parse("2026-11-28T03:00:00Z"))).isPresent();
    // Saturday 22:30 is not: Saturday is not a day of the window.
    assertThat(BlockedWindows.covering(windows, Instant.parse("2026-11-28T22:30:00Z"))).isEmpty();
    // Thursday night neither.
    assertThat(BlockedWindows.covering(windows, Instant.parse("2026-11-27T03:00:00Z"))).isEmpty();
  }

  @Test
  void badValuesAreRefusedNamingTheFieldAndWhatToWrite() {
    assertThatThrownBy(
            () ->
                BlockedWindows.of(
                    List.of(
                        once("2026-12-20T00:00:00Z", "2026-12-21T00:00:00Z"),
                        weekly(List.of(Weekday.Sat), "00:00", "06:00", "Mars/Base"))))
        .hasMessage(
            "spec.drillPolicy.blockedWindows[1].timeZone: \"Mars/Base\" is not a time zone; use an"
                + " IANA name such as Europe/Berlin");
    assertThatThrownBy(() -> BlockedWindows.of(List.of(once("tomorrow", "2026-12-21T00:00:00Z"))))
        .hasMessage(
            "spec.drillPolicy.blockedWindows[0].start: \"tomorrow\" is not an RFC 3339 time such as"
                + " 2026-12-20T00:00:00Z");
    assertThatThrownBy(
            () -> BlockedWindows.of(List.of(once("2026-12-21T00:00:00Z", "2026-12-20T00:00:00Z"))))
        .hasMessageStartingWith(
            "spec.drillPolicy.blockedWindows[0].end: 2026-12-20T00:00:00Z is not after start");
    assertThatThrownBy(
            () -> BlockedWindows.of(List.of(weekly(List.of(Weekday.Sat), "9:00", "17:00", null))))
        .hasMessage(
            "spec.drillPolicy.blockedWindows[0].from: \"9:00\" is not a time of day such as 09:00"
                + " (HH:MM)");
    BlockedWindow both = once("2026-12-21T00:00:00Z", "2026-12-22T00:00:00Z");
    both.setDays(List.of(Weekday.Mon));
    assertThatThrownBy(() -> BlockedWindows.of(List.of(both)))
        .hasMessageContaining("blockedWindows[0]: a blocked window is either once");
  }
}
