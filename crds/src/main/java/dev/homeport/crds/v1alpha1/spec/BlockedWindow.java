package dev.homeport.crds.v1alpha1.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.homeport.crds.v1alpha1.Validation;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;

/**
 * A time when no drill may start: either once ({@code start} to {@code end}) or every week ({@code
 * days}, {@code from} to {@code to} in {@code timeZone}).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value =
        "(has(self.start) || has(self.end)) ? (has(self.start) && has(self.end) &&"
            + " !has(self.days) && !has(self.from) && !has(self.to) && !has(self.timeZone)) :"
            + " (has(self.days) && size(self.days) > 0 && has(self.from) && has(self.to))",
    message =
        "a blocked window is either once (start and end) or weekly (days, from, to and optionally"
            + " timeZone); set one of the two forms")
@ValidationRule(
    value = "!has(self.from) || !has(self.to) || self.from != self.to",
    message =
        "blocked window from and to are equal; a weekly window needs a length (to before from"
            + " crosses midnight)",
    fieldPath = ".to")
public class BlockedWindow {

  @Pattern(Validation.RFC3339)
  @Size(max = 64)
  @JsonPropertyDescription("Start of a one-off window (RFC 3339, e.g. 2026-12-20T00:00:00Z).")
  private String start;

  @Pattern(Validation.RFC3339)
  @Size(max = 64)
  @JsonPropertyDescription("End of a one-off window (RFC 3339), after start.")
  private String end;

  @Size(max = 7)
  @JsonPropertyDescription(
      "Days of a weekly window (Mon … Sun), the days on which it begins at from.")
  private List<Weekday> days;

  @Pattern(Validation.CLOCK_TIME)
  @Size(max = 5)
  @JsonPropertyDescription("Start of a weekly window, HH:MM in timeZone (e.g. 09:00).")
  private String from;

  @Pattern(Validation.CLOCK_TIME)
  @Size(max = 5)
  @JsonPropertyDescription(
      "End of a weekly window, HH:MM in timeZone; earlier than from means it ends the next day.")
  private String to;

  @Size(max = 64)
  @JsonPropertyDescription(
      "IANA time zone of a weekly window's days and times (e.g. Europe/Berlin); default UTC.")
  private String timeZone;

  @Size(max = 256)
  @JsonPropertyDescription("Why drills are blocked then (e.g. quarter-end freeze), for people.")
  private String reason;

  public BlockedWindow() {}

  public String getStart() {
    return start;
  }

  public void setStart(String start) {
    this.start = start;
  }

  public String getEnd() {
    return end;
  }

  public void setEnd(String end) {
    this.end = end;
  }

  public List<Weekday> getDays() {
    return days;
  }

  public void setDays(List<Weekday> days) {
    this.days = days;
  }

  public String getFrom() {
    return from;
  }

  public void setFrom(String from) {
    this.from = from;
  }

  public String getTo() {
    return to;
  }

  public void setTo(String to) {
    this.to = to;
  }

  public String getTimeZone() {
    return timeZone;
  }

  public void setTimeZone(String timeZone) {
    this.timeZone = timeZone;
  }

  public String getReason() {
    return reason;
  }

  public void setReason(String reason) {
    this.reason = reason;
  }
}
