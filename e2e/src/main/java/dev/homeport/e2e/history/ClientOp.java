package dev.homeport.e2e.history;

import java.util.Objects;

/**
 * One request a scenario's client sent through a front-door, as the client saw it.
 *
 * @param id unique id of the request
 * @param kind what the request did
 * @param key the key written or read; for {@link Kind#INCREMENT} the counter's name
 * @param entryRegion the region whose front-door the request was sent to
 * @param value for {@link Kind#WRITE} the write id (also sent as {@code X-Write-Id}); for {@link
 *     Kind#READ} what the read observed, the number of writes the serving backend held for the key
 *     (a decimal, {@code null} unless acknowledged); for {@link Kind#INCREMENT} the delta (a
 *     decimal, may be negative)
 * @param outcome how the request ended
 * @param status the HTTP status, or 0 when there was no answer
 * @param servedBy the region whose backend answered ({@code X-Homeport-Region}), {@code null} when
 *     unknown
 * @param startNanos {@link System#nanoTime()} when the request was sent
 * @param endNanos {@link System#nanoTime()} when its outcome was known
 */
public record ClientOp(
    String id,
    Kind kind,
    String key,
    String entryRegion,
    String value,
    Outcome outcome,
    int status,
    String servedBy,
    long startNanos,
    long endNanos) {

  /** What a request did. */
  public enum Kind {
    WRITE,
    READ,
    INCREMENT
  }

  /** How a request ended, as far as the client can tell. */
  public enum Outcome {
    /** A 2xx answer: the operation happened. */
    ACK,
    /**
     * A definite refusal by the front-door (503 fenced or home down, 409, 429): the operation
     * certainly did not happen.
     */
    REFUSED,
    /**
     * A timeout, a connection error or a proxy error (other 5xx): the operation may or may not have
     * happened.
     */
    ERROR
  }

  public ClientOp {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(outcome, "outcome");
    if (endNanos < startNanos) {
      throw new IllegalArgumentException(
          String.format(
              "Op %s ends (%d) before it starts (%d): endNanos must not be before startNanos",
              id, endNanos, startNanos));
    }
    if (kind == Kind.WRITE && value == null) {
      throw new IllegalArgumentException(
          "Write op " + id + " has no write id: value must carry the X-Write-Id it sent");
    }
    if (kind == Kind.INCREMENT) {
      requireDecimal(id, "delta", value);
    }
    if (kind == Kind.READ && outcome == Outcome.ACK) {
      requireDecimal(id, "observed write count", value);
    }
  }

  /** Whether the request was acknowledged. */
  public boolean acknowledged() {
    return outcome == Outcome.ACK;
  }

  /** The value as a number: a read's observed count or an increment's delta. */
  public long number() {
    return Long.parseLong(value);
  }

  private static void requireDecimal(String id, String what, String value) {
    String problem =
        String.format("Op %s: value must be the %s as a decimal, got %s", id, what, value);
    if (value == null) {
      throw new IllegalArgumentException(problem);
    }
    try {
      Long.parseLong(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(problem, e);
    }
  }
}
